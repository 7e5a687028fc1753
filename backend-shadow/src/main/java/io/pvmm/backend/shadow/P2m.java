package io.pvmm.backend.shadow;

import io.pvmm.api.EntryBits;
import io.pvmm.api.PagingMode;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The monitor's pfn-to-mfn map, built as the {@code vmi} backend builds its own: where each guest (pseudo-physical) frame really lives in machine
 * memory. A seeded permutation of 4 MiB blocks (1024 frames): guest block {@code b} lives in machine
 * block {@code block(b)}, frames keep their offset inside the block, so a large page (4 MiB, or 2 MiB
 * in PAE mode) stays machine-contiguous and a PSE entry translates like any other.
 *
 * <p>The machine has one spare block beyond the guest's (up to what an entry can address), so even a
 * guest of a single block is moved; the map is never the identity. Frames beyond the guest's RAM are
 * not in the map and translate to themselves.
 *
 * <p><b>Threading:</b> immutable once built.
 */
final class P2m {

    /** Frames per block: 4 MiB. */
    static final int BLOCK_SHIFT = 10;

    private final PagingMode mode;
    private final long guestFrames;
    private final int[] machineBlock;

    /**
     * Builds the map.
     *
     * @param mode        the paging mode, which bounds the machine frames an entry can address
     * @param guestFrames the guest's frame count ({@code max_pfn})
     * @param seed        the {@code p2m-seed} setting
     */
    P2m(PagingMode mode, long guestFrames, long seed) {
        if (guestFrames <= 0) {
            throw new IllegalArgumentException("guest frames must be positive: " + guestFrames);
        }
        this.mode = mode;
        this.guestFrames = guestFrames;
        int guestBlocks = (int) ((guestFrames + (1L << BLOCK_SHIFT) - 1) >>> BLOCK_SHIFT);
        long addressable = (mode.frameMask() >>> PagingMode.PAGE_SHIFT) + 1 >>> BLOCK_SHIFT;
        int machineBlocks = (int) Math.max(guestBlocks, Math.min(guestBlocks + 1L, addressable)); // one-to-one first
        int[] perm = new int[machineBlocks];
        for (int i = 0; i < machineBlocks; i++) {
            perm[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = machineBlocks - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        machineBlock = Arrays.copyOf(perm, guestBlocks);
        if (isIdentity() && machineBlocks > 1) {
            // the seed happened to leave every guest block in place: shift every block up by one
            for (int b = 0; b < guestBlocks; b++) {
                machineBlock[b] = (b + 1) % machineBlocks;
            }
        }
    }

    private boolean isIdentity() {
        for (int b = 0; b < machineBlock.length; b++) {
            if (machineBlock[b] != b) {
                return false;
            }
        }
        return true;
    }

    /**
     * The machine frame of a guest frame.
     *
     * @param pfn a guest frame number
     * @return its machine frame number; {@code pfn} itself beyond the guest's RAM
     */
    long mfn(long pfn) {
        if (pfn < 0 || pfn >= guestFrames) {
            return pfn;
        }
        return ((long) machineBlock[(int) (pfn >>> BLOCK_SHIFT)] << BLOCK_SHIFT) | (pfn & ((1L << BLOCK_SHIFT) - 1));
    }

    /**
     * Translates a guest entry into a shadow entry: a present entry gets its frame number replaced by
     * the machine frame, every flag bit kept (NX included); a non-present entry (empty, a swap or file
     * entry) holds no frame and is kept as it is.
     *
     * @param entry the guest's entry
     * @return the shadow entry
     */
    long translate(long entry) {
        if (!EntryBits.isPresent(entry)) {
            return entry;
        }
        long mask = mode.frameMask();
        long mfn = mfn((entry & mask) >>> PagingMode.PAGE_SHIFT);
        return (entry & ~mask) | ((mfn << PagingMode.PAGE_SHIFT) & mask);
    }

    /** @return how many guest blocks the map covers */
    int guestBlocks() {
        return machineBlock.length;
    }
}
