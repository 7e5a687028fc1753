package ${package};

import io.pvmm.api.BackendContext;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code ${backend}} backend: every page-table write is stored as bare hardware stores it, and the
 * page allocation hooks are checked: a frame is announced once until it is released, and only an
 * announced frame is released. A broken rule is refused with a {@link ParavirtViolation} before
 * anything changes.
 *
 * <p>Thread-safe: calls come from several vCPU threads at once, and the set of announced frames is
 * changed only by atomic {@code add} and {@code remove}.
 */
final class ${classPrefix}Ops implements ParavirtOps {

    private final GuestMemory memory;
    private final Set<Long> announced = ConcurrentHashMap.newKeySet();
    private final AtomicLong announces = new AtomicLong();
    private final AtomicLong releases = new AtomicLong();

    ${classPrefix}Ops(BackendContext context) {
        this.memory = context.memory();
    }

    // ---- lifecycle hooks ----------------------------------------------------------------------

    @Override
    public void allocPt(long pfn) {
        announce(pfn, "allocPt");
    }

    @Override
    public void allocPd(long pfn) {
        announce(pfn, "allocPd");
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        announce(pfn, "allocPdClone");
    }

    @Override
    public void releasePt(long pfn) {
        release(pfn, "releasePt");
    }

    @Override
    public void releasePd(long pfn) {
        release(pfn, "releasePd");
    }

    private void announce(long pfn, String hook) {
        if (!announced.add(pfn)) {
            throw new ParavirtViolation(${classPrefix}Rule.FRAME_ANNOUNCED_TWICE, pfn,
                    hook + " of a frame already announced", "a frame that is not a page table", "an announced page table");
        }
        announces.incrementAndGet();
    }

    private void release(long pfn, String hook) {
        if (!announced.remove(pfn)) {
            throw new ParavirtViolation(${classPrefix}Rule.RELEASE_OF_UNANNOUNCED_FRAME, pfn,
                    hook + " of a frame that was never announced", "an announced page table", "a frame that is not a page table");
        }
        releases.incrementAndGet();
    }

    // ---- writes: stored as bare hardware stores them ------------------------------------------

    @Override
    public void setPte(long pa, long value) {
        memory.writeEntry(pa, value);
    }

    @Override
    public void setPmd(long pa, long value) {
        memory.writeEntry(pa, value);
    }

    // ---- inspection ---------------------------------------------------------------------------

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("announced", (long) announced.size());
        c.put("announces", announces.get());
        c.put("releases", releases.get());
        return c;
    }

    @Override
    public List<Finding> audit() {
        List<Finding> findings = new ArrayList<>();
        for (long pfn : announced) {
            if (memory.isFree(pfn)) {
                findings.add(new Finding(${classPrefix}Rule.ANNOUNCED_FRAME_IN_FREE_POOL, pfn, -1,
                        "an announced page table is in the guest's free pool", "not free", "free"));
            }
        }
        return findings;
    }
}
