package io.pvmm.it;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The backends on the test class path, found as the runtime finds them: {@link ServiceLoader} with the
 * SPI's own class loader. No test names a backend; one that lands on the class path joins every test.
 */
final class Backends {

    private Backends() {
    }

    /** @return every discovered provider, by name */
    static List<BackendProvider> discovered() {
        return ServiceLoader.load(BackendProvider.class, BackendProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(BackendProvider::name))
                .toList();
    }

    /** @return every discovered provider with every mode it declares, each shown as "backend, mode" */
    static Stream<Named> withModes() {
        return discovered().stream().flatMap(p -> p.pagingModes().stream().sorted().map(m -> Named.of(p, m)));
    }

    /**
     * A provider in one of its modes, shown as {@code native, two-level}.
     *
     * @param provider the provider
     * @param mode     a declared mode
     */
    record Named(BackendProvider provider, PagingMode mode) {
        static Named of(BackendProvider provider, PagingMode mode) {
            return new Named(provider, mode);
        }

        @Override
        public String toString() {
            return provider.name() + ", " + mode.configName();
        }
    }
}
