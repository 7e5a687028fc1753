package io.pvmm.bench.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pvmm.api.PagingMode;
import io.pvmm.bench.guest.BackendChoice;
import io.pvmm.bench.guest.BenchGuest;
import io.pvmm.guest.memory.PageFrames;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Retained heap of the model, measured in a JVM of its own (run it with {@code -XX:+UseSerialGC} so a
 * full collection leaves only live objects): heap in use after {@code System.gc()}, before and after.
 *
 * <ol>
 *   <li><b>Page-table frames</b>: a 2-level guest on {@code native} with init, then
 *       {@value #PROCESSES} live processes forked from it; the heap they add, divided by the
 *       page-table frames they add ({@code PageFrames.countWith(PAGETABLE)}).</li>
 *   <li><b>An untouched 4 GiB PAE guest</b>: booted and idle; the heap it costs, per frame, beside
 *       what its per-frame metadata and its boot page tables account for.</li>
 * </ol>
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -cp benchmarks.jar io.pvmm.bench.memory.Footprint out.json}
 */
public final class Footprint {

    /** Live processes in the first measurement. */
    public static final int PROCESSES = 10_000;
    /** Bytes of one materialised frame: an {@code int[1024]} (16-byte header with compressed oops). */
    public static final long FRAME_ARRAY_BYTES = 16 + 4096;

    private Footprint() {
    }

    /**
     * Runs both measurements and writes them as JSON.
     *
     * @param args the output file
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Footprint OUTPUT.json");
            System.exit(2);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pageTables", pageTables());
        out.put("untouchedGuest", untouchedGuest());
        out.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Path path = Path.of(args[0]);
        Files.createDirectories(path.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(path.toFile(), out);
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    }

    private static Map<String, Object> pageTables() {
        BenchGuest guest = BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), PagingMode.TWO_LEVEL,
                Map.of("guest.memory-mib", "512"));
        guest.spawnInit(1);
        PageFrames pages = guest.kernel().pages();
        long frames0 = pages.countWith(PageFrames.PAGETABLE);
        long stored0 = guest.kernel().physicalMemory().materialisedFrames();
        long heap0 = retainedHeap();
        for (int i = 0; i < PROCESSES - 1; i++) {
            BenchGuest.require(guest.processes().fork(1, 2 + i), "fork");
        }
        long heap1 = retainedHeap();
        long frames1 = pages.countWith(PageFrames.PAGETABLE);
        long stored1 = guest.kernel().physicalMemory().materialisedFrames();
        Reference.reachabilityFence(guest);
        long frames = frames1 - frames0;
        long bytes = heap1 - heap0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "two-level");
        m.put("processes", PROCESSES);
        m.put("pageTableFramesAdded", frames);
        m.put("framesWithStorageAdded", stored1 - stored0);
        m.put("heapBytesAdded", bytes);
        m.put("bytesPerPageTableFrame", (double) bytes / frames);
        m.put("entryBytesPerPageTableFrame", (double) (stored1 - stored0) * FRAME_ARRAY_BYTES / frames);
        m.put("targetBytesPerPageTableFrame", 4.5 * 1024);
        return m;
    }

    private static Map<String, Object> untouchedGuest() {
        long heap0 = retainedHeap();
        BenchGuest guest = BenchGuest.boot(BackendChoice.parse(BackendChoice.NATIVE), PagingMode.PAE, Map.of("guest.memory-mib", "4096"));
        long heap1 = retainedHeap();
        long frames = guest.kernel().physicalMemory().frames();
        long stored = guest.kernel().physicalMemory().materialisedFrames();
        Reference.reachabilityFence(guest);
        long bytes = heap1 - heap0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "pae");
        m.put("memoryMib", 4096);
        m.put("frames", frames);
        m.put("framesWithStorage", stored);
        m.put("heapBytes", bytes);
        m.put("bytesPerFrame", (double) bytes / frames);
        m.put("storageBytesPerFrame", (double) stored * FRAME_ARRAY_BYTES / frames);
        m.put("metadataBytesPerFrame", (double) (bytes - stored * FRAME_ARRAY_BYTES) / frames);
        return m;
    }

    private static long retainedHeap() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
