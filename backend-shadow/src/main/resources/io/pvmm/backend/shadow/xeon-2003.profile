# cost profile "xeon-2003" for shadow, standing for VMware Workstation's binary-translating monitor
# (the VMW column of SOSP 2003), priced with Adams & Agesen's measurements of VMware's software VMM on a
# Pentium 4 672 (ASPLOS 2006, Fig. 4), taken for this NetBurst Xeon: assumed to carry over. Cycles.
trap-and-emulate  3927  [S] a write to a traced page table handled by the software VMM costs a page fault there: BT page fault, Adams & Agesen, ASPLOS 2006, Fig. 4
vm-exit           2834  [S] derived: the software VMM's page fault less native's, 3927 - 1093 (Adams & Agesen, ASPLOS 2006, Fig. 4)
shadow-update       50  assumed: one entry translated through the p2m and stored; no published figure found
tlb-flush            0  the monitor's work on a CR3 load is a vm-exit; the flush itself is the guest's
