package io.pvmm.backend.shadow;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.run.BackendFactory;
import java.util.Map;

/** A factory for the shadow backend that keeps the backend it creates, so a test can look inside it mid-run. */
final class CapturingFactory implements BackendFactory {

    private final BackendFactory delegate;
    private volatile ShadowOps created;

    CapturingFactory(Map<String, String> settings) {
        this.delegate = BackendFactory.of(new ShadowProvider(), settings);
    }

    /** @return the backend created for the run */
    ShadowOps backend() {
        return created;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public PlatformRequirements platform(PagingMode mode) {
        return delegate.platform(mode);
    }

    @Override
    public BackendSettings settings() {
        return delegate.settings();
    }

    @Override
    public ParavirtOps create(BackendContext context) {
        created = (ShadowOps) delegate.create(context);
        return created;
    }
}
