package io.pvmm.guest.hw;

/**
 * Where a frame's element sits in an array with one element per frame (the RAM's frame table, the
 * page flags, the reference counts, the free bitmap), chosen so that frames near each other never
 * share a cache line.
 *
 * <p>Why: the page allocator hands each vCPU its pages in runs ({@code rmqueue_bulk} moves
 * {@code batch} neighbouring frames to a CPU's list), so the pages two vCPUs work on at the same time
 * are tens of frames apart. In the kernel each frame's {@code struct page} is 32 bytes (i386, 2.6.21),
 * so two such pages never share a line; in a dense Java array of a byte, an int or a bit per frame,
 * 64 to 1,024 neighbouring frames share one, and every atomic update one vCPU makes to its own page's
 * element takes the line from the other vCPU (false sharing): the model would pay for a sharing the
 * kernel does not have.
 *
 * <p>How: the array is cut into {@code L} lines of {@code E} elements ({@code L} a power of two), and
 * frame {@code p} goes to line {@code p mod L}, position {@code p / L} in it. Frames closer than
 * {@code L} apart are in different lines; frames {@code L}, {@code 2L}, ... apart share one. A line is
 * taken as 128 bytes, the two lines the adjacent-line prefetchers of current x86 cores fetch together
 * (the width the JDK pads {@code @Contended} fields to, {@code -XX:ContendedPaddingWidth=128}). The
 * mapping is a bijection of {@code [0, length())}: whole-array scans (counts, totals) see every frame
 * once. {@code length()} is {@code frames} rounded up to whole lines and to a power of two of lines, so
 * a guest whose frame count is a power of two (every power-of-two size of 1 MiB or more) costs not one
 * element more.
 */
public final class FrameIndex {

    /** The bytes taken as one cache line: two 64-byte lines, as the adjacent-line prefetcher fetches them. */
    static final int LINE_BYTES = 128;

    private final long frames;
    private final int lineMask;
    private final int lineBits;
    private final int perLineBits;
    private final int length;

    private FrameIndex(long frames, int perLine) {
        if (frames <= 0 || frames > (1L << 24)) {
            throw new IllegalArgumentException("guest frames must be in (0, 2^24]: " + frames);
        }
        this.frames = frames;
        long lines = Long.highestOneBit(Math.max(1, (frames + perLine - 1) / perLine));
        if (lines * perLine < frames) {
            lines <<= 1;
        }
        this.lineBits = Long.numberOfTrailingZeros(lines);
        this.lineMask = (int) lines - 1;
        this.perLineBits = Integer.numberOfTrailingZeros(perLine);
        this.length = (int) (lines * perLine);
    }

    /**
     * For an array of {@code elementBytes}-byte elements, one per frame.
     *
     * @param frames       {@code max_pfn}
     * @param elementBytes 1, 2, 4 or 8
     * @return the layout
     */
    public static FrameIndex ofElements(long frames, int elementBytes) {
        if (elementBytes <= 0 || elementBytes > LINE_BYTES || Integer.bitCount(elementBytes) != 1) {
            throw new IllegalArgumentException("element size must be a power of two up to " + LINE_BYTES + ": " + elementBytes);
        }
        return new FrameIndex(frames, LINE_BYTES / elementBytes);
    }

    /**
     * For a bitmap of one bit per frame; {@link #of} gives the bit's number ({@code >>> 6} its
     * {@code long}, {@code & 63} its bit).
     *
     * @param frames {@code max_pfn}
     * @return the layout
     */
    public static FrameIndex ofBits(long frames) {
        return new FrameIndex(frames, LINE_BYTES * 8);
    }

    /**
     * The element of a frame.
     *
     * @param pfn a frame below {@code frames}
     * @return its index in the array
     * @throws IndexOutOfBoundsException for a frame the guest does not have
     */
    public int of(long pfn) {
        if (pfn < 0 || pfn >= frames) {
            throw new IndexOutOfBoundsException("frame 0x" + Long.toHexString(pfn) + " is beyond the guest's " + frames + " frames");
        }
        int p = (int) pfn;
        return ((p & lineMask) << perLineBits) | (p >>> lineBits);
    }

    /** @return the array length that holds every frame's element */
    public int length() {
        return length;
    }
}
