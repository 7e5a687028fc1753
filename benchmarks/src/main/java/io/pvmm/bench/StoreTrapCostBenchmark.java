package io.pvmm.bench;

import io.pvmm.bench.ops.PageFaultOp;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What write protection costs a guest whose backend protects nothing: {@link HookCostBenchmark}'s
 * fork+exit and page faults on {@code native}, run by two builds of the model in one JMH run, the
 * tree before the model routed stores to the hardware's write protection and the tree with it. Each
 * side loads its build's {@code benchmarks.jar} in a class loader of its own (parent: the platform
 * loader, so nothing of this jar's model is shared) and drives the same operation through the same
 * method handle, so the two sides differ only in the build.
 *
 * <p>The jars are given as system properties of the forked JVMs, {@value #BEFORE} and {@value #AFTER}:
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar StoreTrapCost \
 *     -jvmArgsAppend "-Dpvmm.bench.before-jar=/tmp/before.jar -Dpvmm.bench.after-jar=/tmp/after.jar"
 * }</pre>
 * docs/performance.md says how the two jars were built and what the run measured. As in
 * {@link HookCostBenchmark}, each pair's method names sort next to each other ({@code ...1Before},
 * {@code ...2After}), so JMH runs the two sides back to back.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(5)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class StoreTrapCostBenchmark {

    /** The system property naming the jar built from the tree without the store routing. */
    public static final String BEFORE = "pvmm.bench.before-jar";
    /** The system property naming the jar built from the tree with it. */
    public static final String AFTER = "pvmm.bench.after-jar";

    private static final MethodType RUN = MethodType.methodType(void.class, Object.class);

    /** One build's model, loaded apart from every other. */
    static final class Build {
        private final ClassLoader loader;

        private Build(ClassLoader loader) {
            this.loader = loader;
        }

        static Build of(String property) {
            String jar = System.getProperty(property);
            if (jar == null || !Files.isRegularFile(Path.of(jar))) {
                throw new IllegalStateException("-D" + property + " must name a benchmarks.jar to load (found "
                        + (jar == null ? "nothing" : "'" + jar + "', which is not a file")
                        + "); see StoreTrapCostBenchmark's documentation");
            }
            try {
                return new Build(new URLClassLoader(property, new URL[] {Path.of(jar).toUri().toURL()},
                        ClassLoader.getPlatformClassLoader()));
            } catch (MalformedURLException e) {
                throw new IllegalStateException(jar, e);
            }
        }

        /**
         * Boots a guest on {@code native} and builds an operation on it, as HookCostBenchmark does.
         *
         * @param mode the paging mode's enum name
         * @param op   the operation's class in {@code io.pvmm.bench.ops}
         * @return the operation
         */
        Object operation(String mode, String op) {
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
                Class<?> modes = type("io.pvmm.api.PagingMode");
                Class<?> choice = type("io.pvmm.bench.guest.BackendChoice");
                Class<?> guest = type("io.pvmm.bench.guest.BenchGuest");
                Object nativeBackend = choice.getMethod("parse", String.class).invoke(null, "native");
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object m = Enum.valueOf((Class) modes, mode);
                Object g = guest.getMethod("boot", choice, modes, Map.class).invoke(null, nativeBackend, m, Map.of());
                return type("io.pvmm.bench.ops." + op).getConstructor(guest, int.class).newInstance(g, 1);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the jar of " + loader.getName() + " has no " + op + " to run", e);
            } finally {
                t.setContextClassLoader(previous);
            }
        }

        private Class<?> type(String name) throws ClassNotFoundException {
            return Class.forName(name, true, loader);
        }
    }

    /** An operation of one build, and the handle that runs one of its methods. */
    abstract static class Side {
        Object op;
        MethodHandle run;
        MethodHandle reset;

        void load(String property, String mode, String opClass) {
            op = Build.of(property).operation(mode, opClass);
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                run = lookup.findVirtual(op.getClass(), "run", MethodType.methodType(void.class)).asType(RUN);
                reset = opClass.equals("PageFaultOp")
                        ? lookup.findVirtual(op.getClass(), "reset", MethodType.methodType(void.class)).asType(RUN) : null;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(opClass + " of " + property, e);
            }
        }

        final void run() throws Throwable {
            run.invokeExact(op);
        }

        final void resetRegion() throws Throwable {
            reset.invokeExact(op);
        }
    }

    /** Fork+exit, 2-level, the build without the store routing. */
    @State(Scope.Thread)
    public static class ForkTwoLevelBefore extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(BEFORE, "TWO_LEVEL", "ForkExitOp");
        }
    }

    /** Fork+exit, 2-level, the build with it. */
    @State(Scope.Thread)
    public static class ForkTwoLevelAfter extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(AFTER, "TWO_LEVEL", "ForkExitOp");
        }
    }

    /** Fork+exit, PAE, the build without the store routing. */
    @State(Scope.Thread)
    public static class ForkPaeBefore extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(BEFORE, "PAE", "ForkExitOp");
        }
    }

    /** Fork+exit, PAE, the build with it. */
    @State(Scope.Thread)
    public static class ForkPaeAfter extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(AFTER, "PAE", "ForkExitOp");
        }
    }

    /** Page faults, 2-level, the build without the store routing; the region mapped afresh before each invocation. */
    @State(Scope.Thread)
    public static class FaultTwoLevelBefore extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(BEFORE, "TWO_LEVEL", "PageFaultOp");
        }

        /**
         * Maps the region afresh; not measured.
         *
         * @throws Throwable what the operation throws
         */
        @Setup(Level.Invocation)
        public void reset() throws Throwable {
            resetRegion();
        }
    }

    /** Page faults, 2-level, the build with it. */
    @State(Scope.Thread)
    public static class FaultTwoLevelAfter extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(AFTER, "TWO_LEVEL", "PageFaultOp");
        }

        /**
         * Maps the region afresh; not measured.
         *
         * @throws Throwable what the operation throws
         */
        @Setup(Level.Invocation)
        public void reset() throws Throwable {
            resetRegion();
        }
    }

    /** Page faults, PAE, the build without the store routing. */
    @State(Scope.Thread)
    public static class FaultPaeBefore extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(BEFORE, "PAE", "PageFaultOp");
        }

        /**
         * Maps the region afresh; not measured.
         *
         * @throws Throwable what the operation throws
         */
        @Setup(Level.Invocation)
        public void reset() throws Throwable {
            resetRegion();
        }
    }

    /** Page faults, PAE, the build with it. */
    @State(Scope.Thread)
    public static class FaultPaeAfter extends Side {
        /** Boots. */
        @Setup(Level.Trial)
        public void boot() {
            load(AFTER, "PAE", "PageFaultOp");
        }

        /**
         * Maps the region afresh; not measured.
         *
         * @throws Throwable what the operation throws
         */
        @Setup(Level.Invocation)
        public void reset() throws Throwable {
            resetRegion();
        }
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    public void forkExitTwoLevel1Before(ForkTwoLevelBefore s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    public void forkExitTwoLevel2After(ForkTwoLevelAfter s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    public void forkExitPae1Before(ForkPaeBefore s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    public void forkExitPae2After(ForkPaeAfter s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultTwoLevel1Before(FaultTwoLevelBefore s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultTwoLevel2After(FaultTwoLevelAfter s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultPae1Before(FaultPaeBefore s) throws Throwable {
        s.run();
    }

    /**
     * @param s the guest
     * @throws Throwable what the operation throws
     */
    @Benchmark
    @OperationsPerInvocation(PageFaultOp.PAGES)
    public void pageFaultPae2After(FaultPaeAfter s) throws Throwable {
        s.run();
    }
}
