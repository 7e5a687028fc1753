package io.pvmm.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar on standard error for long runs: runs done of the total, what runs now, the
 * operations applied, the time elapsed and, once a run is done, an estimate of what remains. Drawn only on a terminal and without {@code --quiet}; otherwise
 * {@link #NONE}, which prints nothing. Redraws at most ten times a second; thread-safe.
 */
class Progress implements AutoCloseable {

    /** Shows nothing. */
    static final Progress NONE = new Progress();

    private Progress() {
    }

    /**
     * A progress bar, or {@link #NONE}.
     *
     * @param err   standard error
     * @param shown whether to draw it (a terminal, and not quiet)
     * @param runs  how many runs the bar counts
     * @return the progress
     */
    static Progress open(PrintWriter err, boolean shown, int runs) {
        return shown ? new Bar(err, runs) : NONE;
    }

    /**
     * A run begins.
     *
     * @param label what runs, e.g. {@code xen pae}
     */
    void start(String label) {
    }

    /** An operation was applied. */
    void operation() {
    }

    /** A run ended. */
    void finish() {
    }

    /** Clears the bar, so output can follow; it is drawn again if the run goes on. */
    void clear() {
    }

    /** Clears the bar. */
    @Override
    public void close() {
        clear();
    }

    /** The bar itself. */
    private static final class Bar extends Progress {
        private static final int WIDTH = 24;
        private static final long REDRAW_NANOS = 100_000_000L;

        private final PrintWriter err;
        private final int runs;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong operations = new AtomicLong();
        private final AtomicLong lastDraw = new AtomicLong(System.nanoTime() - REDRAW_NANOS);
        private final long started = System.nanoTime();
        private volatile String label = "";
        private int drawnWidth;

        Bar(PrintWriter err, int runs) {
            this.err = err;
            this.runs = Math.max(1, runs);
        }

        @Override
        void start(String what) {
            label = what;
            draw(true);
        }

        @Override
        void operation() {
            operations.incrementAndGet();
            draw(false);
        }

        @Override
        void finish() {
            done.incrementAndGet();
            draw(true);
        }

        private void draw(boolean force) {
            long now = System.nanoTime();
            long last = lastDraw.get();
            if (!force && (now - last < REDRAW_NANOS || !lastDraw.compareAndSet(last, now))) {
                return;
            }
            lastDraw.set(now);
            int d = done.get();
            int filled = WIDTH * d / runs;
            String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + d + "/" + runs
                    + (runs == 1 ? " run  " : " runs  ") + label + "  " + operations.get() + " ops  " + time(now, d);
            synchronized (this) {
                err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
                err.flush();
                drawnWidth = line.length();
            }
        }

        /** Elapsed time, and what remains at the pace of the runs done so far ({@code 0:12, ~0:30 left}). */
        private String time(long now, int d) {
            long elapsed = (now - started) / 1_000_000_000L;
            String text = clock(elapsed);
            if (d > 0 && d < runs) {
                text += ", ~" + clock(elapsed * (runs - d) / d) + " left";
            }
            return text;
        }

        private static String clock(long seconds) {
            return seconds / 60 + ":" + String.format(java.util.Locale.ROOT, "%02d", seconds % 60);
        }

        @Override
        synchronized void clear() {
            if (drawnWidth > 0) {
                err.print("\r" + " ".repeat(drawnWidth) + "\r");
                err.flush();
                drawnWidth = 0;
            }
        }
    }
}
