# cost profile "p4-2006" for the checking backend: its checks run in the guest's own time and every store is native's,
# so it adds no event to the guest's work. One line per event: name, cycles at the profile's clock, source.
hypercall         0  native hardware: the checking backend adds nothing between the guest and the hardware
validated-entry   0  native hardware: the checking backend adds nothing between the guest and the hardware
trap-and-emulate  0  native hardware: the checking backend adds nothing between the guest and the hardware
vm-exit           0  native hardware: the checking backend adds nothing between the guest and the hardware
shadow-update     0  native hardware: the checking backend adds nothing between the guest and the hardware
tlb-flush         0  native hardware: the checking backend adds nothing between the guest and the hardware
tlb-miss          0  native hardware: the checking backend adds nothing between the guest and the hardware
walk-reference    0  native hardware: the checking backend adds nothing between the guest and the hardware
pin               0  native hardware: the checking backend adds nothing between the guest and the hardware
multicall         0  native hardware: the checking backend adds nothing between the guest and the hardware
