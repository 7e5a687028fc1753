package io.pvmm.runtime.error;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An error from the catalogue, with its message filled in and the place the bad input came from.
 *
 * <p>The message reads:
 * <pre>
 * PVMM-E002 unknown backend 'xne' (from system property pvmm.backend).
 *   Discovered: native (/opt/pvmm/lib/pvmm-backend-native-1.0.0.jar), xen (...). Did you mean 'xen'?
 *   See docs/errors.md#pvmm-e002, or run: pvmm explain PVMM-E002
 * </pre>
 * The first line is the code, the headline and the source; each detail line is indented by two
 * spaces; the last line links to the error's documentation, and names the command that explains it
 * where the documentation is not at hand (an installed distribution).
 */
public final class PvmmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final PvmmError error;
    private final String source;

    /**
     * Creates the exception.
     *
     * @param error  the catalogue entry
     * @param source where the bad input came from (e.g. {@code system property pvmm.backend}), or
     *               {@code null} when no single input is to blame
     * @param args   a value for every placeholder of the entry's template
     * @throws IllegalArgumentException if the arguments do not match the template's placeholders
     */
    public PvmmException(PvmmError error, String source, Map<String, ?> args) {
        this(error, source, args, null);
    }

    /**
     * Creates the exception with the throwable that caused it.
     *
     * @param error  the catalogue entry
     * @param source where the bad input came from, or {@code null}
     * @param args   a value for every placeholder of the entry's template
     * @param cause  the underlying failure, or {@code null}
     * @throws IllegalArgumentException if the arguments do not match the template's placeholders
     */
    public PvmmException(PvmmError error, String source, Map<String, ?> args, Throwable cause) {
        super(render(error, source, args), cause);
        this.error = error;
        this.source = source;
    }

    /**
     * The catalogue entry.
     *
     * @return the error
     */
    public PvmmError error() {
        return error;
    }

    /**
     * The error's code.
     *
     * @return e.g. {@code PVMM-E002}
     */
    public String code() {
        return error.code();
    }

    /**
     * Where the bad input came from.
     *
     * @return e.g. {@code environment PVMM_BACKEND}, or empty when no single input is to blame
     */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /**
     * The exit code the {@code pvmm} command returns for this error.
     *
     * @return the exit code of the error's kind
     */
    public int exitCode() {
        return error.kind().exitCode();
    }

    /**
     * Describes a throwable for a message: its class and its message, then each distinct cause.
     *
     * @param t the throwable
     * @return e.g. {@code java.lang.IllegalStateException: boom}
     */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        Throwable c = t.getCause();
        for (int depth = 0; c != null && c != t && depth < 5; depth++, c = c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString();
    }

    private static String render(PvmmError error, String source, Map<String, ?> args) {
        Objects.requireNonNull(error, "error");
        List<String> lines = new ArrayList<>();
        for (String line : error.fill(args).split("\n", -1)) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        StringBuilder sb = new StringBuilder(error.code()).append(' ').append(lines.get(0));
        if (source != null) {
            sb.append(" (from ").append(source).append(')');
        }
        sb.append('.');
        for (String detail : lines.subList(1, lines.size())) {
            sb.append("\n  ").append(detail);
        }
        return sb.append("\n  See ").append(error.docsLink()).append(", or run: pvmm explain ").append(error.code()).toString();
    }
}
