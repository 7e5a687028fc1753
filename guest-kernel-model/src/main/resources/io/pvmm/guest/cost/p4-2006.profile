# cost profile "p4-2006": the guest's own work on the hardware of Adams & Agesen, "A Comparison of
# Software and Hardware Techniques for x86 Virtualization", ASPLOS 2006: a 3.8 GHz Pentium 4 672 with
# VT-x. Cycles at 3.8 GHz. Trust: [S] read in a secondary source that cites the paper; [M] recalled,
# unchecked; "assumed" has no published figure at all.
clock 3.8 Pentium 4 672, 3.8 GHz, VT-x (Adams & Agesen, ASPLOS 2006, section 6)
guest.syscall          242  [M] native syscall, Adams & Agesen, ASPLOS 2006, Fig. 4 (recalled, unchecked)
guest.page-fault      1093  [S] native page fault, Adams & Agesen, ASPLOS 2006, Fig. 4
guest.clear-page       256  assumed: 4096 bytes at one 16-byte store a cycle; no published figure found
guest.copy-page        512  assumed: twice clear-page (a load and a store a word); no published figure found
guest.page-walk         40  assumed: two cached references of about 20 cycles (a NetBurst L2 hit); no published figure found
guest.tlb-flush        500  assumed: a CR3 reload on NetBurst; no published figure found for this processor
guest.context-switch     0  the switch's own work is not modelled beyond its CR3 load (tlb-flush) and the walks after it
