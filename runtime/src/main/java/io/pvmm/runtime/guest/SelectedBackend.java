package io.pvmm.runtime.guest;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.run.BackendFactory;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import java.util.Objects;

/**
 * The guest model's view of a selected backend: the runtime's selection, created through the
 * runtime (checked mode, validated settings, Guice) for each guest that runs on it.
 */
public final class SelectedBackend implements BackendFactory {

    private final PvmmRuntime runtime;
    private final Selection selection;

    /**
     * Wraps a selection.
     *
     * @param runtime   the runtime that made it
     * @param selection the selection
     */
    public SelectedBackend(PvmmRuntime runtime, Selection selection) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.selection = Objects.requireNonNull(selection, "selection");
    }

    @Override
    public String name() {
        return selection.backend().name();
    }

    @Override
    public PlatformRequirements platform(PagingMode mode) {
        return selection.backend().provider().platform(mode);
    }

    @Override
    public BackendSettings settings() {
        return selection.settings();
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        return runtime.createBackend(selection, context.mode(), context);
    }

    /** @return the selection */
    public Selection selection() {
        return selection;
    }
}
