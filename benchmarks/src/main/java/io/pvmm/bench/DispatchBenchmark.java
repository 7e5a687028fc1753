package io.pvmm.bench;

import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.bench.guest.SyntheticProvider;
import io.pvmm.guest.arch.Paravirt;
import io.pvmm.guest.memory.FreePool;
import io.pvmm.guest.memory.Gfp;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.discovery.BackendDiscovery;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.guest.GuestRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One hook call ({@code set_pte} through the model's paravirt wrapper into the selected backend)
 * against the number of providers the runtime discovered and the settings they declare and are
 * given: {@code native} is chosen among {@code providers - 1} others, each declaring
 * {@link #SETTINGS_PER_PROVIDER} settings with one of them configured. Selection and wiring happen
 * once; the call itself should not notice how many backends exist.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class DispatchBenchmark {

    /** Settings each extra provider declares. */
    public static final int SETTINGS_PER_PROVIDER = 16;

    /** A guest on native, chosen among many providers. */
    @State(Scope.Thread)
    public static class Hooks {
        /** Providers discovered, native included. */
        @Param({"1", "10", "100", "1000"})
        public int providers;
        Paravirt pv;
        long entryPa;
        long value;

        /** Registers the providers, selects native, boots, takes a scratch frame. */
        @Setup(Level.Trial)
        public void boot() {
            BackendRegistry found = BackendDiscovery.discover();
            List<DiscoveredBackend> all = new ArrayList<>();
            found.find(BackendChoice.NATIVE).ifPresent(all::add);
            Map<String, String> config = new LinkedHashMap<>();
            for (int i = 1; i < providers; i++) {
                String name = "synthetic" + i;
                all.add(DiscoveredBackend.describe(new SyntheticProvider(name, SETTINGS_PER_PROVIDER), "synthetic"));
                config.put(name + ".key" + (i % SETTINGS_PER_PROVIDER), Integer.toString(i));
            }
            PvmmRuntime runtime = GuestRuntime.withGuest(PvmmRuntime.of(BackendRegistry.of(all, List.of(), "synthetic")));
            BenchGuest guest = BenchGuest.boot(runtime, BackendChoice.parse(BackendChoice.NATIVE), PagingMode.TWO_LEVEL, config);
            if (runtime.registry().backends().size() != providers) {
                throw new IllegalStateException("expected " + providers + " providers, have " + runtime.registry().names());
            }
            pv = new Paravirt(guest.kernel().ops(), guest.kernel().physicalMemory());
            long pfn = guest.kernel().pool().alloc(Gfp.KERNEL_ZERO);
            if (pfn == FreePool.NO_FRAME) {
                throw new IllegalStateException("no scratch frame");
            }
            entryPa = pfn << PagingMode.PAGE_SHIFT;
        }
    }

    /**
     * One {@code set_pte} of a changing value into one entry.
     *
     * @param h the guest
     */
    @Benchmark
    public void setPte(Hooks h) {
        h.value = (h.value + 0x1000) & 0xFFFF_F000L | 0x63;
        h.pv.setPte(h.entryPa, h.value);
    }
}
