package io.pvmm.backend.vmi;

/**
 * {@code vmi.c}'s page-type checker ({@code CONFIG_DEBUG_PAGE_TYPE}): the guest-side record of what
 * the guest announced, kept in {@code page->type} for every guest frame:
 * {@link #NORMAL}, {@link #L1} (a pte page) or {@link #L2} (a page directory), with the {@link #PAE}
 * flag when the table has 8-byte entries. The flag values are {@code vmi.h}'s. PAE PDPTs (several per
 * frame, never announced) are not tracked: their frames stay NORMAL.
 *
 * <p>Mirrors {@code vmi_set_page_type} ({@link #setPageType}: announcing a typed frame or releasing a
 * normal one is refused) and {@code vmi_check_page_type} ({@link #checkPageType}: the level and PAE
 * flag of every write). Each check raises through {@link Violations} before anything changes.
 *
 * <p><b>Threading:</b> not thread-safe by itself. Every access to a frame's type happens under that
 * frame's lock in {@link ShadowPager}.
 */
final class PageTypeChecker {

    /** {@code VMI_PAGE_NORMAL}: not a page table. */
    static final int NORMAL = 0x00;
    /** {@code VMI_PAGE_PT}: a pte page; also the level of a pte write. */
    static final int PT = 0x01;
    /** {@code VMI_PAGE_PD}: a page directory; also the level of a pmd write. */
    static final int PD = 0x02;
    /** {@code VMI_PAGE_PDP}: the level of a PAE root write (never a tracked type). */
    static final int PDP = 0x04;
    /** {@code VMI_PAGE_PAE}: the table has 8-byte entries. */
    static final int PAE = 0x10;
    /** A pte page. */
    static final int L1 = PT;
    /** A page directory. */
    static final int L2 = PD;

    /**
     * In a write's accepted types: {@code vmi.c} checks nothing for this write
     * ({@code vmi_set_pte_atomic} in PAE mode).
     */
    static final int UNCHECKED = 0x100;

    /**
     * In a write's accepted types: a write to a NORMAL frame passes through unchecked, while a typed
     * frame is still checked for its level and PAE flag. For {@code set_pmd_pte}'s writes
     * ({@code set_pte_atomic}, which is {@code set_pte} in 2-level mode): 2.6.21's {@code pgd_dtor}
     * calls {@code paravirt_release_pd} before it takes {@code pgd_lock} for {@code pgd_list_del}, so
     * a {@code set_pmd_pte} on another vCPU, walking {@code pgd_list} under the lock, may write a root
     * that has just gone back to NORMAL. {@code vmi_set_pte}'s debug check would BUG there on a
     * correct kernel; the write itself is harmless (the frame is no longer shadowed), so it passes.
     */
    static final int NORMAL_PASSES = 0x200;

    private static final int LEVELS = PT | PD | PDP;

    private final byte[] types;
    private final byte[] releasedAs; // by frame: the type a NORMAL frame had until its last release, or NORMAL
    private final Violations violations;
    private volatile boolean bootAllocationsApplied;

    /**
     * Creates the map, every frame NORMAL.
     *
     * @param frames     the guest's frame count
     * @param violations where broken rules go
     */
    PageTypeChecker(long frames, Violations violations) {
        if (frames <= 0 || frames > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("guest frames out of range: " + frames);
        }
        this.types = new byte[(int) frames];
        this.releasedAs = new byte[(int) frames];
        this.violations = violations;
    }

    /**
     * {@code vmi_apply_boot_page_allocations}: boot is over, {@code mem_map} exists, and from now on
     * every write is checked against the frame's type, a write to a NORMAL frame included. Before,
     * {@code vmi.c} only records the types (boot's tables are written before their frames can carry
     * a type: PAE's {@code empty_zero_page} links, a bootmem table before its announcement).
     */
    void applyBootPageAllocations() {
        bootAllocationsApplied = true;
    }

    /** @return whether boot is over and writes to NORMAL frames are checked */
    boolean bootAllocationsApplied() {
        return bootAllocationsApplied;
    }

    /**
     * A frame's type.
     *
     * @param pfn a guest frame
     * @return {@link #NORMAL}, or {@link #L1}/{@link #L2} possibly with {@link #PAE}
     */
    int typeOf(long pfn) {
        return types[index(pfn)];
    }

    /**
     * {@code vmi_set_page_type}: checks the change with {@link #checkSetPageType}, then records it.
     *
     * @param pfn  a guest frame
     * @param type the new type; {@link #NORMAL} to release
     */
    void setPageType(long pfn, int type) {
        checkSetPageType(pfn, type);
        assign(pfn, type);
    }

    /**
     * Records a type without any check, for a caller that has made the checks itself.
     *
     * @param pfn  a guest frame
     * @param type the new type
     */
    void assign(long pfn, int type) {
        int i = index(pfn);
        releasedAs[i] = type == NORMAL ? types[i] : NORMAL;
        types[i] = (byte) type;
    }

    /**
     * What a NORMAL frame was until its last release.
     *
     * @param pfn a guest frame
     * @return its type before the release, or {@link #NORMAL} if it was announced since or never released
     */
    int releasedAs(long pfn) {
        return releasedAs[index(pfn)];
    }

    /**
     * The checks of {@code vmi_set_page_type}, without the change: allocating (a type other than
     * NORMAL) a frame that has a type, or releasing (NORMAL) a frame that has none, is a violation.
     *
     * @param pfn  a guest frame
     * @param type the type the frame is to get
     */
    void checkSetPageType(long pfn, int type) {
        int current = typeOf(pfn);
        if (type != NORMAL && current != NORMAL) {
            violations.raise(VmiRule.ALLOC_OF_TYPED_FRAME, pfn,
                    "a frame is announced as " + describe(type) + " while it is a page table",
                    "type NORMAL", "type " + describe(current));
        } else if (type == NORMAL && current == NORMAL) {
            violations.raise(VmiRule.RELEASE_OF_UNTYPED_FRAME, pfn,
                    "a frame that is not a page table is released", "a page-table type", "type NORMAL");
        }
    }

    /**
     * The level check of a release: {@code releasePt} must name an L1, {@code releasePd} an L2.
     * A NORMAL frame is left to {@link #checkSetPageType}.
     *
     * @param pfn   a guest frame
     * @param level {@link #L1} or {@link #L2}
     */
    void checkReleaseLevel(long pfn, int level) {
        int current = typeOf(pfn);
        if (current != NORMAL && (current & level) == 0) {
            violations.raise(VmiRule.RELEASE_LEVEL_MISMATCH, pfn,
                    "release as " + describe(level) + " of a frame of another level",
                    "type " + describe(level | (current & PAE)), "type " + describe(current));
        }
    }

    /**
     * {@code vmi_check_page_type}: a write at {@code flags}' level may target a frame whose type
     * shares a level bit with {@code accepts}, with the same PAE flag. Once the boot allocations are
     * applied, a pte or pmd write to a NORMAL frame is refused as well ({@code (type & page->type) == 0}
     * holds for it); a PAE root write ({@code accepts} without a level, {@code VMI_PAGE_PDP}, which
     * {@code vmi.c} does not track) and an {@link #UNCHECKED} write may target a NORMAL frame. Under
     * {@code on-violation=record} the write then passes through, untracked.
     *
     * @param pfn     the frame written
     * @param accepts the types the write may target ({@code PT|PD} for {@code set_pte} because of
     *                {@code set_pmd_pte}, and for 2-level {@code set_pte_atomic}; {@code PT} for
     *                {@code set_pte_at}, {@code pte_clear} and {@code update_pte}; {@code PD} for pmd
     *                writes; 0 for a PAE root write; {@link #UNCHECKED} added for PAE
     *                {@code set_pte_atomic}), with {@link #PAE} when the write is a PAE one
     * @param what    the hook's name, for the message
     * @return the frame's type
     */
    int checkPageType(long pfn, int accepts, String what) {
        int current = typeOf(pfn);
        if ((accepts & UNCHECKED) != 0) {
            return current;
        }
        if (current == NORMAL) {
            if (bootAllocationsApplied && (accepts & LEVELS) != 0 && (accepts & NORMAL_PASSES) == 0) {
                violations.raise(VmiRule.WRITE_TO_UNANNOUNCED_FRAME, pfn,
                        what + " on a frame that was never announced as a page table",
                        "type " + describeLevels(accepts), "type NORMAL");
            }
            return current;
        }
        if (((current ^ accepts) & PAE) != 0) {
            violations.raise(VmiRule.WRITE_PAE_MISMATCH, pfn,
                    what + " with the PAE flag " + ((accepts & PAE) != 0 ? "set" : "clear") + " on a frame typed otherwise",
                    "PAE flag " + ((accepts & PAE) != 0 ? "set" : "clear"), "type " + describe(current));
        } else if ((current & accepts & LEVELS) == 0) {
            violations.raise(VmiRule.WRITE_LEVEL_MISMATCH, pfn,
                    what + " on a frame of another level",
                    (accepts & LEVELS) == 0 ? "an untracked frame (PAE root)" : "type " + describeLevels(accepts),
                    "type " + describe(current));
        }
        return current;
    }

    /**
     * A type in words: {@code NORMAL}, {@code L1}, {@code L2}, {@code L1|PAE}, ...
     *
     * @param type a type
     * @return its name
     */
    static String describe(int type) {
        if ((type & LEVELS) == 0) {
            return "NORMAL";
        }
        String level = (type & PT) != 0 ? "L1" : (type & PD) != 0 ? "L2" : "PDP";
        return (type & PAE) != 0 ? level + "|PAE" : level;
    }

    private static String describeLevels(int accepts) {
        String s = (accepts & PT) != 0 && (accepts & PD) != 0 ? "L1 or L2" : describe(accepts & ~PAE);
        return (accepts & PAE) != 0 ? s + " (PAE)" : s;
    }

    private int index(long pfn) {
        if (pfn < 0 || pfn >= types.length) {
            throw new IllegalArgumentException("frame 0x" + Long.toHexString(pfn) + " is beyond the guest's "
                    + types.length + " frames");
        }
        return (int) pfn;
    }
}
