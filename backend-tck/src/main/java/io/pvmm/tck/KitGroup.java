package io.pvmm.tck;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

/**
 * One group of the kit's rules as dynamic tests of the backend's own test class, so that build tools
 * file every result under that class (a nested class of the kit would be reported as
 * {@code ParavirtOpsCompatibilityKit$Group}, the same for every backend). Each test of the group runs
 * on a group instance of its own, made for a backend under test of its own, as JUnit's per-method
 * lifecycle would; a test that does not apply is reported skipped, and its reason is also printed, so
 * that it shows in the build's console and not only in its reports.
 */
final class KitGroup {

    /** Where a skipped test's reason goes. */
    interface SkipListener {
        void skipped(String test, String reason);
    }

    private final String name;
    private final Class<? extends KitRules> type;
    private final Function<Supplier<BackendUnderTest>, ? extends KitRules> make;

    private <T extends KitRules> KitGroup(String name, Class<T> type, Function<Supplier<BackendUnderTest>, ? extends T> make) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.make = make;
    }

    /**
     * A group.
     *
     * @param name the group's name in plain words, e.g. {@code the provider}
     * @param type the class that declares the group's tests
     * @param make makes an instance of the group for a backend under test
     * @param <T>  the group's class
     * @return the group
     */
    static <T extends KitRules> KitGroup of(String name, Class<T> type, Function<Supplier<BackendUnderTest>, ? extends T> make) {
        return new KitGroup(name, type, make);
    }

    /**
     * The group's tests, in the order of their display names.
     *
     * @param backend makes the backend under test of one test
     * @param skips   told of every skipped test
     * @return one dynamic test per {@code @Test}, one container per {@code @TestFactory}
     */
    Stream<DynamicNode> tests(Supplier<BackendUnderTest> backend, SkipListener skips) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(TestFactory.class))
                .sorted(Comparator.comparing(KitGroup::displayName))
                .map(m -> node(m, backend, skips));
    }

    private DynamicNode node(Method method, Supplier<BackendUnderTest> backend, SkipListener skips) {
        String test = displayName(method);
        if (method.isAnnotationPresent(TestFactory.class)) {
            return DynamicContainer.dynamicContainer(test, Stream.of(method).flatMap(m -> factory(m, backend.get()))
                    .map(n -> reporting(n, name + " › " + test, skips)));
        }
        return reporting(DynamicTest.dynamicTest(test, () -> invoke(method, backend.get())), name, skips);
    }

    @SuppressWarnings("unchecked")
    private Stream<? extends DynamicNode> factory(Method method, BackendUnderTest backend) {
        try {
            Object nodes = invoke(method, backend);
            return nodes instanceof Stream<?> s ? (Stream<? extends DynamicNode>) s
                    : ((java.util.Collection<? extends DynamicNode>) nodes).stream();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private Object invoke(Method method, BackendUnderTest backend) throws Throwable {
        KitRules group = make.apply(() -> backend);
        method.setAccessible(true);
        try {
            return method.invoke(group);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Wraps a test so that its skip is told to the listener before JUnit reports it. */
    static DynamicNode reporting(DynamicNode node, String parent, SkipListener skips) {
        String path = parent + " › " + node.getDisplayName();
        if (node instanceof DynamicTest t) {
            return DynamicTest.dynamicTest(t.getDisplayName(), () -> {
                try {
                    t.getExecutable().execute();
                } catch (TestAbortedException e) {
                    skips.skipped(path, e.getMessage());
                    throw e;
                }
            });
        }
        DynamicContainer c = (DynamicContainer) node;
        return DynamicContainer.dynamicContainer(c.getDisplayName(), c.getChildren().map(n -> reporting(n, path, skips)));
    }

    private static String displayName(Method m) {
        DisplayName d = m.getAnnotation(DisplayName.class);
        return d != null ? d.value() : m.getName();
    }
}
