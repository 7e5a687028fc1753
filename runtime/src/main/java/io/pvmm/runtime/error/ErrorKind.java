package io.pvmm.runtime.error;

/**
 * The class of an error in the catalogue, which fixes the exit code of the {@code pvmm} command
 * that reports it.
 */
public enum ErrorKind {

    /** No backend can be selected or built (PVMM-E001 to PVMM-E007): exit code 3. */
    BACKEND_SELECTION(3),

    /** A setting, its value, or the configuration file is wrong: a usage error, exit code 2. */
    CONFIGURATION(2),

    /** A file or name given as input is wrong or unusable: a usage error, exit code 2. */
    INPUT(2),

    /** The run itself failed: exit code 1. */
    RUN(1),

    /**
     * Something was skipped and the command went on, e.g. a bad entry of the backend path or a
     * provider that failed to load: reported as a warning line, exit code 0 (a selection that then
     * needs what was skipped fails with its own code).
     */
    WARNING(0);

    private final int exitCode;

    ErrorKind(int exitCode) {
        this.exitCode = exitCode;
    }

    /**
     * The exit code the {@code pvmm} command returns for an error of this kind.
     *
     * @return 1, 2 or 3
     */
    public int exitCode() {
        return exitCode;
    }
}
