package io.pvmm.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The SPI stays binary compatible with what was released: every public method of SPI 1.0 (listed in
 * {@code spi-1.0.signatures}, taken by reflection from the 1.0 api jar) is still there with the same
 * parameters, return type and kind, and nothing added to an interface since is abstract — so a
 * backend compiled against 1.0 links and runs.
 */
@DisplayName("SPI binary compatibility")
class SpiCompatibilityTest {

    /** The types added since 1.0; the released ones are named by the signatures. */
    private static final List<Class<?>> ADDED_TYPES = List.of(WriteProtection.class, TrappedStore.class, TrappedStore.Kind.class, PageWalk.class,
            CostEvent.class, KernelVersion.class);

    private static Set<String> released() throws IOException {
        try (InputStream in = SpiCompatibilityTest.class.getResourceAsStream("spi-1.0.signatures")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static List<Class<?>> types() throws IOException {
        Set<String> names = released().stream().map(l -> l.substring(0, l.indexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
        List<Class<?>> out = new java.util.ArrayList<>(ADDED_TYPES);
        for (String n : names) {
            try {
                out.add(Class.forName(n));
            } catch (ClassNotFoundException e) {
                throw new AssertionError("SPI 1.0's type " + n + " is gone", e);
            }
        }
        return out;
    }

    private static Set<String> current() throws IOException {
        Set<String> out = new TreeSet<>();
        for (Class<?> c : types()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                    out.add(signature(c, m));
                }
            }
        }
        return out;
    }

    private static String signature(Class<?> c, Method m) {
        String kind = Modifier.isStatic(m.getModifiers()) ? "static"
                : Modifier.isAbstract(m.getModifiers()) ? "abstract" : m.isDefault() ? "default" : "concrete";
        return c.getName() + " " + kind + " " + m.getReturnType().getTypeName() + " " + m.getName() + "("
                + Arrays.stream(m.getParameterTypes()).map(Class::getTypeName).collect(Collectors.joining(",")) + ")";
    }

    @Test
    @DisplayName("every method of SPI 1.0 is still there, with the same signature and kind")
    void keepsEveryReleasedMethod() throws IOException {
        Set<String> released = released();
        assertThat(released).hasSizeGreaterThan(100);
        assertThat(current()).containsAll(released);
    }

    @Test
    @DisplayName("no abstract method has been added to an interface since SPI 1.0")
    void addsOnlyDefaultMethodsToInterfaces() throws IOException {
        Set<String> released = released();
        List<Class<?>> interfaces = types().stream().filter(Class::isInterface).filter(t -> !ADDED_TYPES.contains(t)).toList();
        List<String> addedAbstract = current().stream()
                .filter(s -> s.contains(" abstract ") && !released.contains(s))
                .filter(s -> interfaces.stream().anyMatch(t -> s.startsWith(t.getName() + " ")))
                .toList();
        assertThat(addedAbstract).isEmpty();
    }

    @Test
    @DisplayName("SPI 1.1 adds write protection, the trapped store, the page walk, the raised page fault and the minimum kernel, as defaults")
    void spiOnePointOneAddsWriteProtection() throws IOException {
        Set<String> added = new TreeSet<>(current());
        added.removeAll(released());
        assertThat(added).contains(
                "io.pvmm.api.BackendContext default io.pvmm.api.WriteProtection writeProtection()",
                "io.pvmm.api.ParavirtOps default void storeTrapped(io.pvmm.api.TrappedStore)",
                "io.pvmm.api.ParavirtOps default boolean observesPageWalks()",
                "io.pvmm.api.ParavirtOps default void pageWalk(io.pvmm.api.PageWalk)",
                "io.pvmm.api.ParavirtOps default void accessedDirtySet(long,long,long,int)",
                "io.pvmm.api.ParavirtOps default void pageFaultRaised(long,long,boolean,boolean)",
                "io.pvmm.api.ParavirtOps default java.util.Map costEvents()",
                "io.pvmm.api.BackendProvider default java.util.Optional costProfile(java.lang.String)",
                "io.pvmm.api.PlatformRequirements concrete io.pvmm.api.KernelVersion minimumKernel()",
                "io.pvmm.api.PlatformRequirements concrete io.pvmm.api.PlatformRequirements requiringKernel(io.pvmm.api.KernelVersion)");
        assertThat(SpiVersion.CURRENT).isEqualTo("1.1");
        assertThat(SpiVersion.isCompatible("1.0")).as("a 1.0 provider runs on 1.1").isTrue();
        assertThat(SpiVersion.isCompatible("1.2")).as("a 1.2 provider does not").isFalse();
    }

    @Test
    @DisplayName("a context from before 1.1 refuses write protection instead of pretending to give it")
    void oldContextRefusesWriteProtection() {
        BackendContext old = new BackendContext() {
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(old::writeProtection)
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("a trapped store names the entry's physical address")
    void trappedStoreAddress() {
        TrappedStore s = new TrappedStore(0x1234, 0xFF8, 7, 1, TrappedStore.Kind.ENTRY);
        assertThat(s.pa()).isEqualTo(0x1234FF8L);
    }
}
