# cost profile "xeon-2003" for xen: the hypervisor's additions on Barham et al.'s 2.4 GHz Xeon (SOSP 2003).
# Cycles at 2.4 GHz. No per-hypercall figure is published for this machine; see docs/validation.md.
hypercall         1080  derived [M]: a ring transition and back, priced as lmbench's null call on L-UP, 0.45 us at 2.4 GHz (SOSP 2003, Table 3)
validated-entry    981  fitted on the fork row alone (SOSP 2003 Table 3, fork proc, 110 and 198 us [M]): (198 - 110) us x 2.4 GHz = 211200 cycles, less 24 hypercalls, 36 trapped writes and 2 bounced faults at 1080, over 147 validated entries a fork (the default guest, 2-level); it stands for every cost of Xen 1.0 the model does not count. Compared on the other rows only
trap-and-emulate  1080  derived [M]: the write fault into Xen costs a ring transition as xen.hypercall; its validation is a validated-entry
vm-exit           1080  derived [M]: a guest page fault enters Xen (which owns the IDT) and is bounced to the guest's ring-1 handler: an exception into Xen and back, priced as a ring transition, as xen.hypercall
tlb-flush            0  the flush is the guest's own work (guest.tlb-flush); the hypercall that asks for it is a hypercall
pin                  0  a pin's hypercall is a hypercall and its entries are validated-entry events; nothing else is priced
multicall            0  a batch is one hypercall and its entries are validated-entry events; nothing else is priced
