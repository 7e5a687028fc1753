package io.pvmm.runtime.wiring;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.GuestLayout;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.WriteProtection;
import java.util.Objects;

/**
 * The guest's context as a backend sees it: every call goes to the guest's own context, except
 * {@link #settings()}, which answers the backend's checked settings.
 */
final class SettingsContext implements BackendContext {

    private final BackendContext guest;
    private final BackendSettings settings;

    SettingsContext(BackendContext guest, BackendSettings settings) {
        this.guest = Objects.requireNonNull(guest, "guest");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public PagingMode mode() {
        return guest.mode();
    }

    @Override
    public GuestLayout layout() {
        return guest.layout();
    }

    @Override
    public GuestMemory memory() {
        return guest.memory();
    }

    @Override
    public BackendSettings settings() {
        return settings;
    }

    @Override
    public WriteProtection writeProtection() {
        return guest.writeProtection();
    }

    @Override
    public int vcpus() {
        return guest.vcpus();
    }

    @Override
    public int currentCpu() {
        return guest.currentCpu();
    }
}
