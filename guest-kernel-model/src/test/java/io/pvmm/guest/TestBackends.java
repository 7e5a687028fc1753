package io.pvmm.guest;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendProvider;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.run.BackendFactory;
import java.util.ServiceLoader;
import java.util.function.Function;

/** Backends for the model's own tests: the native backend, found as any backend is. */
public final class TestBackends {

    private TestBackends() {
    }

    /** @return the native provider from the test class path */
    public static BackendProvider nativeProvider() {
        return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("native")).findFirst().orElseThrow();
    }

    /** @return a factory for the native backend */
    public static BackendFactory nativeFactory() {
        return factory(nativeProvider(), PlatformRequirements.NONE, Function.identity());
    }

    /**
     * A factory that creates a provider's backend, under given platform requirements, possibly wrapped.
     *
     * @param provider the provider
     * @param platform the requirements to report
     * @param wrap     applied to the created backend
     * @return the factory
     */
    public static BackendFactory factory(BackendProvider provider, PlatformRequirements platform,
                                         Function<ParavirtOps, ParavirtOps> wrap) {
        return new BackendFactory() {
            @Override
            public String name() {
                return provider.name();
            }

            @Override
            public PlatformRequirements platform(PagingMode mode) {
                return platform;
            }

            @Override
            public BackendSettings settings() {
                return BackendSettings.defaults(provider.settings());
            }

            @Override
            public ParavirtOps create(BackendContext context) {
                return wrap.apply(provider.create(context));
            }
        };
    }
}
