package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.SpiVersion;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A backend compiled against SPI 1.0 ({@code spi-1.0/legacy-backend-spi-1.0.jar}, built before SPI
 * 1.1 existed; its source and how it was built are in {@code src/test/fixtures/spi-1.0}) loads from its
 * own jar on this SPI, through {@link ServiceLoader} as the runtime loads plugins, and passes the whole
 * compatibility kit: the methods SPI 1.1 added are defaults it never heard of.
 */
@DisplayName("a backend compiled against SPI 1.0")
class SpiOnePointZeroBackendTest extends ParavirtOpsCompatibilityKit {

    private static final ClassLoader JAR = jarLoader();

    private static ClassLoader jarLoader() {
        URL jar = SpiOnePointZeroBackendTest.class.getResource("/spi-1.0/legacy-backend-spi-1.0.jar");
        if (jar == null) {
            throw new IllegalStateException("the SPI 1.0 fixture jar is missing from the test resources");
        }
        return new URLClassLoader("spi-1.0", new URL[] {jar}, BackendProvider.class.getClassLoader());
    }

    private static List<BackendProvider> loaded() {
        return ServiceLoader.load(BackendProvider.class, JAR).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.getClass().getClassLoader() == JAR).toList();
    }

    @Override
    protected BackendProvider provider() {
        return loaded().get(0);
    }

    @Test
    @DisplayName("ServiceLoader finds exactly its provider in the jar, and it says it was built against SPI 1.0")
    void loadsAndSaysOnePointZero() {
        List<BackendProvider> providers = loaded();
        assertThat(providers).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("legacy");
            assertThat(p.spiVersion()).isEqualTo("1.0");
            assertThat(p.getClass().getName()).isEqualTo("org.example.legacy.LegacyProvider");
        });
        assertThat(SpiVersion.CURRENT).isEqualTo("1.1");
        assertThat(SpiVersion.isCompatible(providers.get(0).spiVersion())).isTrue();
    }
}
