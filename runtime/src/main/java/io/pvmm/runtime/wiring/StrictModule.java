package io.pvmm.runtime.wiring;

import com.google.inject.AbstractModule;

/**
 * Turns on Guice's strict switches: every binding explicit, no circular proxies, and an
 * {@code @Inject} annotation on every constructor Guice calls.
 */
final class StrictModule extends AbstractModule {

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        binder().requireAtInjectOnConstructors();
    }
}
