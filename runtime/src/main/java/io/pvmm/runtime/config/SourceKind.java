package io.pvmm.runtime.config;

/**
 * The kinds of configuration source, highest precedence first: a value from a kind listed earlier
 * overrides a value from a kind listed later.
 */
public enum SourceKind {

    /** A command-line option: {@code --backend}, {@code --mode}, {@code --config}, {@code --set key=value}. */
    CLI,

    /** A system property {@code pvmm.<key>}, e.g. {@code -Dpvmm.backend=xen}. */
    SYSTEM_PROPERTY,

    /** An environment variable {@code PVMM_<KEY>}, e.g. {@code PVMM_BACKEND=xen}. */
    ENVIRONMENT,

    /** A line {@code pvmm.<key>=<value>} of the configuration file. */
    FILE,

    /** The value a key has when no source sets it. */
    DEFAULT
}
