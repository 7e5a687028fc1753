# cost profile "p4-2006" for native: bare hardware adds no event to the guest's own work
hypercall         0  bare hardware: nothing runs between the guest and the hardware
validated-entry   0  bare hardware: nothing runs between the guest and the hardware
trap-and-emulate  0  bare hardware: nothing runs between the guest and the hardware
vm-exit           0  bare hardware: nothing runs between the guest and the hardware
shadow-update     0  bare hardware: nothing runs between the guest and the hardware
tlb-flush         0  bare hardware: nothing runs between the guest and the hardware
tlb-miss          0  bare hardware: nothing runs between the guest and the hardware
walk-reference    0  bare hardware: nothing runs between the guest and the hardware
pin               0  bare hardware: nothing runs between the guest and the hardware
multicall         0  bare hardware: nothing runs between the guest and the hardware
