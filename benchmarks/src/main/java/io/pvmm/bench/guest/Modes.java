package io.pvmm.bench.guest;

import io.pvmm.api.PagingMode;

/** Reads the {@code mode} parameter of a benchmark. */
public final class Modes {

    private Modes() {
    }

    /**
     * The paging mode a parameter names.
     *
     * @param name {@code two-level} or {@code pae}
     * @return the mode
     */
    public static PagingMode of(String name) {
        return PagingMode.fromConfigName(name).orElseThrow(() -> new IllegalArgumentException("unknown paging mode " + name));
    }
}
