package io.pvmm.guest.mm;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.arch.PageTables;

/**
 * The loop that {@code zap_pmd_range}, {@code copy_pmd_range} and {@code change_pmd_range} each write
 * out in the kernel: step through {@code [addr, end)} one pmd's span at a time
 * ({@code next = pmd_addr_end(addr, end)}), read the pmd, and give the span to the pte level, or skip
 * it when the pmd is empty ({@code if (pmd_none_or_clear_bad(pmd)) continue;}).
 *
 * <p>The pte level may stop inside a span (the zap does, when its block of work is spent) by
 * returning the address it reached; the walk goes on from there, reading that pmd again.
 */
final class PmdRange {

    /** What a {@link Step} returns to end the walk at once. */
    static final long STOP = -1;

    /** The pte level of one walk: one pmd's span. */
    @FunctionalInterface
    interface Step {
        /**
         * Handles {@code [addr, next)} under one pmd.
         *
         * @param pmdPa the pmd entry's address
         * @param pmd   the pmd, as the guest reads it ({@code pte_val})
         * @param addr  first address
         * @param next  end of the span, at most the walk's end
         * @return where the walk goes on: {@code next}, an address before it, or {@link #STOP}
         */
        long apply(long pmdPa, long pmd, long addr, long next);
    }

    private final PageTables tables;
    private final long pmdSize;

    /**
     * Creates the walk.
     *
     * @param mode   the paging mode ({@code PMD_SIZE})
     * @param tables page-table accessors
     */
    PmdRange(PagingMode mode, PageTables tables) {
        this.tables = tables;
        this.pmdSize = mode.pmdSize();
    }

    /**
     * {@code pmd_addr_end(addr, end)}: the end of {@code addr}'s pmd span, or {@code end} if sooner.
     *
     * @param addr an address
     * @param end  the walk's end
     * @return the span's end
     */
    long pmdAddrEnd(long addr, long end) {
        return Math.min(end, (addr & ~(pmdSize - 1)) + pmdSize);
    }

    /**
     * Walks the present pmds of {@code [addr, end)} under {@code pgd}; empty ones are skipped.
     *
     * @param pgd  the root
     * @param addr first address
     * @param end  end address
     * @param step the pte level
     * @return {@code end}, or {@link #STOP} if a step stopped the walk
     */
    long walkPresent(long pgd, long addr, long end, Step step) {
        return walk(pgd, addr, end, step, null);
    }

    /**
     * Walks every pmd of {@code [addr, end)} under {@code pgd}: present ones to {@code present}, empty
     * ones to {@code none} (skipped when null).
     *
     * @param pgd     the root
     * @param addr    first address
     * @param end     end address
     * @param present the pte level for present pmds
     * @param none    what an empty pmd's span costs, or null
     * @return {@code end}, or {@link #STOP} if a step stopped the walk
     */
    long walk(long pgd, long addr, long end, Step present, Step none) {
        long a = addr;
        while (a < end) {
            long next = pmdAddrEnd(a, end);
            long pmdPa = tables.pmdEntryFor(pgd, a);
            long pmd = tables.read(pmdPa);
            if (!PageTables.pmdNone(pmd)) {
                a = present.apply(pmdPa, pmd, a, next);
            } else {
                a = none == null ? next : none.apply(pmdPa, pmd, a, next);
            }
            if (a == STOP) {
                return STOP;
            }
        }
        return end;
    }
}
