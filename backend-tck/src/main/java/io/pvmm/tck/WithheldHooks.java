package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.BackendSettings;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.PlatformRequirements;
import io.pvmm.guest.run.BackendFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * A backend with the five lifecycle hooks ({@code allocPt}, {@code allocPd}, {@code allocPdClone},
 * {@code releasePt}, {@code releasePd}) withheld from it: what an unmodified guest, which has no
 * paravirt hooks, gives a full-virtualization monitor. Every other call reaches the backend as it is.
 */
final class WithheldHooks {

    private static final Set<String> HOOKS = Set.of("allocPt", "allocPd", "allocPdClone", "releasePt", "releasePd");

    private WithheldHooks() {
    }

    /**
     * A factory whose backends never receive the lifecycle hooks.
     *
     * @param factory the backend's own factory
     * @return the withholding factory
     */
    static BackendFactory around(BackendFactory factory) {
        return new BackendFactory() {
            @Override
            public String name() {
                return factory.name();
            }

            @Override
            public PlatformRequirements platform(PagingMode mode) {
                return factory.platform(mode);
            }

            @Override
            public BackendSettings settings() {
                return factory.settings();
            }

            @Override
            public ParavirtOps create(BackendContext context) {
                return withhold(factory.create(context));
            }
        };
    }

    static ParavirtOps withhold(ParavirtOps ops) {
        InvocationHandler h = (proxy, method, args) -> {
            if (HOOKS.contains(method.getName()) && method.getDeclaringClass() == ParavirtOps.class) {
                return null;
            }
            try {
                return method.invoke(ops, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (ParavirtOps) Proxy.newProxyInstance(ParavirtOps.class.getClassLoader(), new Class<?>[] {ParavirtOps.class}, h);
    }
}
