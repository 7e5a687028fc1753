# cost profile "xeon-2003": the guest's own work on the hardware of Barham et al., "Xen and the Art of
# Virtualization", SOSP 2003 (section 4: Dell 2650, 2.4 GHz Xeon, Linux 2.4.21). Cycles at 2.4 GHz.
# Trust, as docs/validation.md grades it: [M] recalled from the paper, not read in a stored copy;
# [S] read in a secondary source that cites the paper; "assumed" has no published figure at all.
clock 2.4 Dell 2650, 2.4 GHz Xeon (Barham et al., SOSP 2003, section 4)
guest.syscall         1080  derived [M]: lmbench null call on L-UP, 0.45 us at 2.4 GHz (SOSP 2003, Table 3); a row pvmm does not compare
guest.page-fault      1093  [S] native page fault on a Pentium 4 672 (Adams & Agesen, ASPLOS 2006, Fig. 4), taken for this NetBurst Xeon: assumed to carry over
guest.clear-page       256  assumed: 4096 bytes at one 16-byte store a cycle; no published figure found
guest.copy-page        512  assumed: twice clear-page (a load and a store a word); no published figure found
guest.page-walk         40  assumed: two cached references of about 20 cycles (a NetBurst L2 hit); no published figure found
guest.tlb-flush        500  assumed: a CR3 reload on NetBurst; no published figure found for this processor
guest.context-switch     0  the switch's own work is not modelled beyond its CR3 load (tlb-flush) and the walks after it
