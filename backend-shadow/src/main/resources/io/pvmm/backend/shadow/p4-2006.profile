# cost profile "p4-2006" for shadow, standing for Adams & Agesen's hardware VMM: VT-x with shadow page
# tables, no nested paging, on a 3.8 GHz Pentium 4 672 (ASPLOS 2006). Cycles at 3.8 GHz.
trap-and-emulate 12733  [S] one page-table-entry write under the hardware VMM, Adams & Agesen, ASPLOS 2006, Fig. 4
vm-exit           4340  [S] a page-fault VM exit and the VM entry back, 1931 + 2409 (Adams & Agesen, ASPLOS 2006, Table 1)
shadow-update       50  assumed: one entry translated through the p2m and stored; no published figure found
tlb-flush            0  the monitor's work on a CR3 load is a vm-exit; the flush itself is the guest's
