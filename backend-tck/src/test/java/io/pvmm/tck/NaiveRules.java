package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.EntryBits;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.api.ViolationRule;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Backends with a rule that looks right and breaks a correct guest, one for each trap the guide's
 * "Rules that break correct guests" names, built on the reference backend; and one that checks a rule
 * in its audit only, where the guest's frame is long reused. The kit must fail each.
 */
public final class NaiveRules {

    private NaiveRules() {
    }

    /** The rules the naive backends enforce. */
    enum Rule implements ViolationRule {
        RELEASE_OF_LINKED_TABLE("release-of-linked-table", "a page table is released only once no entry links it"),
        PGD_SLOT_OUT_OF_RANGE("pgd-slot-out-of-range", "a PAE root has four entries"),
        RELEASE_OF_TABLE_WITH_PRESENT_PTES("release-of-table-with-present-ptes", "a pte page is released only once its ptes are cleared"),
        RELEASE_OF_FREE_FRAME("release-of-free-frame", "a page table is released before its frame returns to the free pool");

        private final String id;
        private final String summary;

        Rule(String id, String summary) {
            this.id = id;
            this.summary = summary;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String summary() {
            return summary;
        }
    }

    /**
     * Refuses a {@code releasePt} of a kernel pte table that {@code swapper_pg_dir}'s tables still link —
     * which a revert of a split large page does: "release_pt before revert_page overwrites the pmd".
     */
    public static final class RefusesReleaseOfLinkedKernelTable extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                @Override
                public void releasePt(long pfn) {
                    GuestMemory memory = context.memory();
                    PagingMode mode = context.mode();
                    long root = context.layout().swapperPgDir();
                    for (long va = PagingMode.PAGE_OFFSET; va < (1L << 32); va += mode.pmdSize()) {
                        long pmdPa = root + (long) mode.pgdIndex(va) * mode.entryBytes();
                        if (!mode.pmdFolded()) {
                            long pgd = memory.readEntry(pmdPa);
                            if (!EntryBits.isPresent(pgd)) {
                                continue;
                            }
                            pmdPa = (mode.entryPfn(pgd) << PagingMode.PAGE_SHIFT) + (long) mode.pmdIndex(va) * mode.entryBytes();
                        }
                        long pmd = memory.readEntry(pmdPa);
                        if (EntryBits.isPresent(pmd) && !EntryBits.isLarge(pmd) && mode.entryPfn(pmd) == pfn) {
                            throw new ParavirtViolation(Rule.RELEASE_OF_LINKED_TABLE, pfn, "releasePt of a table a kernel pmd links",
                                    "no pmd entry linking it", "the entry for 0x" + Long.toHexString(va));
                        }
                    }
                    ref.releasePt(pfn);
                }
            };
        }
    }

    /** Refuses a PAE {@code releasePd} of a pmd that a {@code setPgd} linked and no write unlinked — as {@code pgd_free} releases them. */
    public static final class RefusesReleaseOfPmdLinkedFromRoot extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                private final Map<Long, Long> linkedBy = new HashMap<>();

                @Override
                public synchronized void setPgd(long pgdPa, long value) {
                    linkedBy.values().remove(pgdPa);
                    if (EntryBits.isPresent(value)) {
                        linkedBy.put(context.mode().entryPfn(value), pgdPa);
                    }
                    ref.setPgd(pgdPa, value);
                }

                @Override
                public synchronized void releasePd(long pfn) {
                    Long by = linkedBy.get(pfn);
                    if (by != null) {
                        throw new ParavirtViolation(Rule.RELEASE_OF_LINKED_TABLE, pfn, "releasePd of a pmd a root entry links",
                                "no root entry linking it", "the root entry at 0x" + Long.toHexString(by));
                    }
                    ref.releasePd(pfn);
                }
            };
        }
    }

    /** Takes a PAE root entry's slot from its offset in the page, as if the root were a whole page, and refuses a slot past 3. */
    public static final class DerivesPdptSlotFromPageOffset extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                @Override
                public void setPgd(long pgdPa, long value) {
                    long slot = (pgdPa & (PagingMode.PAGE_SIZE - 1)) / context.mode().entryBytes();
                    if (slot >= context.mode().ptrsPerPgd()) {
                        throw new ParavirtViolation(Rule.PGD_SLOT_OUT_OF_RANGE, pgdPa >>> PagingMode.PAGE_SHIFT,
                                "setPgd of slot " + slot, "a slot from 0 to 3", "slot " + slot);
                    }
                    ref.setPgd(pgdPa, value);
                }
            };
        }
    }

    /** Counts the present ptes of each pte page from the write hooks, and refuses a release while any is left. */
    public static final class CountsPtesFromHooks extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                private final Map<Long, Integer> present = new HashMap<>();

                private synchronized void count(long ptePa, long value) {
                    long table = ptePa >>> PagingMode.PAGE_SHIFT;
                    boolean was = EntryBits.isPresent(context.memory().readEntry(ptePa));
                    boolean is = EntryBits.isPresent(value);
                    if (was != is) {
                        present.merge(table, is ? 1 : -1, Integer::sum);
                    }
                }

                @Override
                public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
                    count(ptePa, value);
                    ref.setPteAt(mmPgdPa, address, ptePa, value);
                }

                @Override
                public void pteClear(long mmPgdPa, long address, long ptePa) {
                    count(ptePa, 0);
                    ref.pteClear(mmPgdPa, address, ptePa);
                }

                @Override
                public synchronized void allocPt(long pfn) {
                    present.remove(pfn);
                    ref.allocPt(pfn);
                }

                @Override
                public synchronized void releasePt(long pfn) {
                    int left = present.getOrDefault(pfn, 0);
                    if (left > 0) {
                        throw new ParavirtViolation(Rule.RELEASE_OF_TABLE_WITH_PRESENT_PTES, pfn, "releasePt of a pte page with present ptes",
                                "no present pte", left + " present ptes");
                    }
                    ref.releasePt(pfn);
                }
            };
        }
    }

    /**
     * Knows which frames are page tables, and looks for one in the free pool in its audit only: a frame
     * the guest frees before releasing it is announced again or reused long before the audit runs.
     */
    public static final class ChecksTheFreePoolInItsAuditOnly extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Announced(context, false);
        }
    }

    /** The same, and checks {@code isFree} in the release hook as well, where the rule is broken. */
    public static final class ChecksTheFreePoolInTheReleaseHook extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Announced(context, true);
        }
    }

    private static final class Announced extends BrokenBackends.Forwarding {
        private final Set<Long> tables = new HashSet<>();
        private final boolean inHook;

        Announced(BackendContext context, boolean inHook) {
            super(context);
            this.inHook = inHook;
        }

        @Override
        public synchronized void allocPt(long pfn) {
            tables.add(pfn);
        }

        @Override
        public synchronized void releasePt(long pfn) {
            if (inHook && context.memory().isFree(pfn)) {
                throw new ParavirtViolation(Rule.RELEASE_OF_FREE_FRAME, pfn, "releasePt of a frame in the free pool",
                        "an allocated frame", "a free frame");
            }
            tables.remove(pfn);
        }

        @Override
        public synchronized List<io.pvmm.api.Finding> audit() {
            return tables.stream().filter(context.memory()::isFree)
                    .map(pfn -> new io.pvmm.api.Finding(Rule.RELEASE_OF_FREE_FRAME, pfn, -1, "a page table in the free pool", "allocated", "free"))
                    .toList();
        }
    }

    /**
     * Takes a PAE root entry's slot from {@link PagingMode#pgdIndexOfEntry}, and refuses a kernel slot that
     * links anything but {@code swapper_pg_dir}'s kernel pmd, as a shared kernel pmd must: a correct rule.
     */
    public static final class ChecksTheKernelSlotWithTheHelper extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                @Override
                public void setPgd(long pgdPa, long value) {
                    PagingMode mode = context.mode();
                    long swapper = context.layout().swapperPgDir();
                    if (mode.pgdIndexOfEntry(pgdPa) == mode.userPtrsPerPgd() && mode.pgdOfEntry(pgdPa) != swapper) {
                        long kernelPmd = context.memory().readEntry(swapper + (long) mode.userPtrsPerPgd() * mode.entryBytes());
                        if (mode.entryPfn(value) != mode.entryPfn(kernelPmd)) {
                            throw new ParavirtViolation(Rule.PGD_SLOT_OUT_OF_RANGE, pgdPa >>> PagingMode.PAGE_SHIFT,
                                    "a root's kernel slot links another pmd", "swapper's kernel pmd", "pfn 0x" + Long.toHexString(mode.entryPfn(value)));
                        }
                    }
                    ref.setPgd(pgdPa, value);
                }
            };
        }
    }
}
