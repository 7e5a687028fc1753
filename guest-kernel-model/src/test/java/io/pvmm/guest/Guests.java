package io.pvmm.guest;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.guest.kernel.GuestKernel;
import io.pvmm.guest.kernel.GuestMachine;
import io.pvmm.guest.mm.Cpus;
import io.pvmm.guest.observe.CountingOps;
import java.util.function.Function;

/** Boots guests on the native backend for the model's tests. */
public final class Guests {

    private Guests() {
    }

    /** A booted guest with the counting decorator it ran through. */
    public record Booted(GuestKernel kernel, CountingOps counts) {
    }

    /**
     * Boots a guest on native, counted.
     *
     * @param mode   the paging mode
     * @param config the guest's settings
     * @return the guest
     */
    public static Booted boot(PagingMode mode, GuestConfig config) {
        return boot(mode, config, PlatformRequirements.NONE, Function.identity());
    }

    /**
     * Boots a guest on native under some platform requirements, with the backend wrapped (a Mockito
     * spy, for instance) inside the counting decorator.
     *
     * @param mode     the paging mode
     * @param config   the guest's settings
     * @param platform what the backend requires
     * @param wrap     applied to the native backend
     * @return the guest
     */
    public static Booted boot(PagingMode mode, GuestConfig config, PlatformRequirements platform,
                              Function<ParavirtOps, ParavirtOps> wrap) {
        BackendProvider provider = TestBackends.nativeProvider();
        GuestMachine machine = GuestMachine.create(mode, config, platform);
        ParavirtOps ops = wrap.apply(provider.create(machine.backendContext(BackendSettings.defaults(provider.settings()))));
        CountingOps counting = new CountingOps(ops, config.vcpus(), Cpus::currentId);
        return new Booted(machine.boot(counting), counting);
    }
}
