package io.pvmm.backend.xen.guest;

import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.backend.xen.XenRule;
import io.pvmm.backend.xen.guest.AnnouncedTables.Kind;
import io.pvmm.backend.xen.mm.Hypercall;
import io.pvmm.backend.xen.mm.Hypervisor;
import io.pvmm.backend.xen.mm.MachineMemory;
import io.pvmm.backend.xen.mm.XenViolation;
import java.util.BitSet;
import java.util.List;

/**
 * The port's side of a page-table frame's life, as the first paravirt_ops port handled the hooks
 * ({@code xen_alloc_pt}, {@code xen_release_pt}, {@code xen_release_pd}; research notes §3.2, §3.3):
 *
 * <ul>
 *   <li>{@link #announce}: the frame becomes read-only in the direct map
 *       ({@code make_lowmem_page_readonly}, an {@code update_va_mapping} of the kernel pte that maps
 *       {@code PAGE_OFFSET + (pfn << 12)});</li>
 *   <li>{@link #release}: refused for a frame not announced as that kind, already free, or a page
 *       directory whose {@code PG_pinned} is set (a root still pinned); otherwise the frame becomes
 *       writable again ({@code make_lowmem_page_readwrite}, which Xen refuses while the frame is still a
 *       page table with references: the guest's {@code BUG()}, reported as
 *       {@code release-of-typed-frame}), and a page directory is cleared ("make sure next person to
 *       allocate this page gets a clean pmd");</li>
 *   <li>at boot, until the kernel's root is pinned, announcements come before the direct map of the
 *       frames exists: they are remembered, and a pte that maps one of them is stored read-only
 *       ({@link #maskRwPte}, 2.6.23's {@code xen_set_pte_init} / {@code mask_rw_pte}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> callers hold the domain lock.
 */
final class TableFrames {

    private final GuestLayout layout;
    private final GuestMemory memory;
    private final MachineMemory machine;
    private final LowmemMappings lowmem;
    private final Multicalls mc;
    private final PgPinned pinned;
    private final AnnouncedTables announced = new AnnouncedTables();
    private final BitSet bootReadOnly = new BitSet(); // by guest frame, until the kernel's root is pinned
    private boolean booting = true;

    TableFrames(GuestLayout layout, Hypervisor hv, LowmemMappings lowmem, Multicalls mc, PgPinned pinned) {
        this.layout = layout;
        this.machine = hv.machine();
        this.memory = machine.guest();
        this.lowmem = lowmem;
        this.mc = mc;
        this.pinned = pinned;
    }

    /** @return whether boot is still building the kernel's tables (the kernel's root is not pinned yet) */
    boolean booting() {
        return booting;
    }

    /**
     * The kernel's root is pinned: from now on the direct map of every lowmem frame exists, and every
     * kernel table is {@code PG_pinned} ({@code xen_mark_init_mm_pinned}).
     */
    void bootDone() {
        booting = false;
        bootReadOnly.clear();
        announced.forEach(pinned::set);
        pinned.set(layout.swapperPfn());
    }

    /**
     * Whether a frame is announced as a page table and not released.
     *
     * @param pfn a frame
     * @return whether the port made it a table
     */
    boolean isAnnounced(long pfn) {
        return announced.isAnnounced(pfn);
    }

    /**
     * {@code alloc_pt} / {@code alloc_pd} / {@code alloc_pd_clone}.
     *
     * @param cpu  the calling vCPU
     * @param pfn  the frame
     * @param kind what it becomes
     * @throws XenViolation {@code announce-of-announced-frame}
     */
    void announce(int cpu, long pfn, Kind kind) {
        announced.checkAnnounce(pfn, kind);
        makeLowmemPageReadonly(cpu, pfn);
        announced.announce(pfn, kind);
    }

    /**
     * {@code release_pt} / {@code release_pd}.
     *
     * @param cpu  the calling vCPU
     * @param pfn  the frame
     * @param kind the hook's kind
     * @throws XenViolation {@code release-of-unannounced-frame}, {@code release-of-free-frame},
     *                      {@code release-of-pinned-frame} or {@code release-of-typed-frame}
     */
    void release(int cpu, long pfn, Kind kind) {
        // the update_va_mapping is a direct hypercall and the clear writes the frame directly: whatever
        // this vCPU has queued (an unlink of this very table) must reach Xen first
        mc.flush(cpu);
        announced.checkRelease(pfn, kind);
        if (memory.isFree(pfn)) {
            throw new XenViolation(XenRule.RELEASE_OF_FREE_FRAME, pfn,
                    String.format("release of frame 0x%x, which is in the free pool already", pfn), "a frame in use", "free");
        }
        if (kind == Kind.PD && pinned.test(pfn)) {
            throw new XenViolation(XenRule.RELEASE_OF_PINNED_FRAME, pfn,
                    String.format("release of page directory 0x%x, whose PG_pinned is set: its tree was never unpinned", pfn),
                    "PG_pinned clear", "PG_pinned set");
        }
        Hypercall rw = lowmem.protect(pfn, true);
        if (rw != null) {
            try {
                mc.issue(cpu, rw);
            } catch (XenViolation refused) {
                if (refused.xenRule() != XenRule.TYPED_FRAME_MAPPED_WRITABLE) {
                    throw refused;
                }
                // make_lowmem_page_readwrite: BUG() on the refusal; the table is still linked somewhere
                throw new XenViolation(XenRule.RELEASE_OF_TYPED_FRAME, pfn,
                        String.format("release of frame 0x%x, which Xen still holds as a page table: ", pfn) + refused.getMessage(),
                        "no reference to the frame's page-table type", refused.found());
            }
        }
        if (kind == Kind.PD) {
            memory.clearFrame(pfn);
        }
        announced.release(pfn);
        pinned.clear(pfn);
    }

    /**
     * {@code make_lowmem_page_readonly}; at boot also remembered for {@link #maskRwPte}, since the
     * frame's direct-map pte may not exist yet.
     *
     * @param cpu the calling vCPU
     * @param pfn a frame
     * @throws XenViolation {@code update-va-mapping-unmapped} after boot, for a lowmem frame the
     *                      direct map does not map
     */
    void makeLowmemPageReadonly(int cpu, long pfn) {
        if (pfn >= layout.maxLowPfn()) {
            return; // highmem is not in the direct map
        }
        if (booting && pfn >= 0) {
            bootReadOnly.set((int) pfn); // below maxLowPfn, so an int
        }
        Hypercall ro = lowmem.protect(pfn, false);
        if (ro != null) {
            mc.issue(cpu, ro);
        } else if (!booting && lowmem.lookupAddress(pfn) < 0) {
            // 2.6.23: BUG_ON(lookup_address(address) == NULL). The port cannot know more than that no
            // pte maps the frame; the model reports it as Xen's refusal of the update_va_mapping it
            // stands for (after the batch, whose own failure would come first)
            mc.issue(cpu, new Hypercall.UpdateVaMapping(layout.directMapAddress(pfn), 0));
            throw new IllegalStateException("update_va_mapping of an unmapped address succeeded: 0x"
                    + Long.toHexString(layout.directMapAddress(pfn)));
        }
    }

    /**
     * {@code mask_rw_pte}: at boot, a pte that maps a frame announced as a page table loses its RW bit.
     *
     * @param value a pte about to be stored
     * @return the pte to store
     */
    long maskRwPte(long value) {
        if (booting && EntryBits.isPresent(value) && EntryBits.isWritable(value)) {
            long pfn = lowmem.entryPfn(value);
            if (pfn >= 0 && bootReadOnly.get((int) pfn)) {
                return value & ~EntryBits.RW;
            }
        }
        return value;
    }

    /**
     * The port's audit: no announced frame and no frame the direct map maps read-only is in the
     * guest's free pool.
     *
     * @param findings where to add what is wrong
     */
    void audit(List<Finding> findings) {
        announced.forEach(pfn -> {
            if (memory.isFree(pfn)) {
                findings.add(new Finding(XenRule.PAGE_TABLE_IN_FREE_POOL, pfn, -1,
                        String.format("frame 0x%x is announced as a page table, yet in the free pool", pfn),
                        "released before it was freed", "announced and free"));
            }
        });
        lowmem.forEachReadOnly(pfn -> {
            if (memory.isFree(pfn)) {
                findings.add(new Finding(XenRule.PAGE_TABLE_IN_FREE_POOL, pfn, -1,
                        String.format("frame 0x%x is mapped read-only by the direct map, yet in the free pool", pfn),
                        "writable when free", "read-only and free"));
            }
        });
    }
}
