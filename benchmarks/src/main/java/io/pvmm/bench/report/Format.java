package io.pvmm.bench.report;

import java.util.Locale;

/** Number formatting for the report's tables. */
public final class Format {

    private Format() {
    }

    /**
     * A number with three significant figures at least, grouped by thousands.
     *
     * @param v the number
     * @return e.g. {@code 123,456}, {@code 12.3}, {@code 0.123}
     */
    public static String number(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * A ratio as a percentage difference.
     *
     * @param r the ratio
     * @return e.g. {@code -0.4%}
     */
    public static String percent(double r) {
        return String.format(Locale.ROOT, "%+.1f%%", (r - 1) * 100);
    }
}
