package org.example.pvmm.checking;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.EntryBits;
import io.pvmm.api.Finding;
import io.pvmm.api.GuestMemory;
import io.pvmm.api.PagingMode;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native hardware that checks the order of the guest's calls: every store is performed as native
 * does it, after the rules of {@link Rule} that the call can break have been checked; a broken rule is
 * refused with a {@link ParavirtViolation} before anything changes.
 *
 * <ul>
 *   <li>a frame is announced once until released;</li>
 *   <li>{@code allocPt(pfn)} comes before the pmd write that links {@code pfn};</li>
 *   <li>a release names a frame announced at that level, not yet in the free pool, and — for a user pte
 *       page — no longer linked by a pmd entry (a kernel table split by {@code change_page_attr} is
 *       released while still linked: "release_pt before revert_page overwrites the pmd");</li>
 *   <li>{@code allocPdClone} copies from an announced root;</li>
 *   <li>lazy MMU mode is entered and left in pairs on each vCPU, never nested.</li>
 * </ul>
 */
final class CheckingOps implements ParavirtOps {

    private final BackendContext context;
    private final GuestMemory memory;
    private final PagingMode mode;
    private final Frames frames;
    private final AtomicIntegerArray lazy;
    private final AtomicLong linksChecked = new AtomicLong();
    private final AtomicLong releasesChecked = new AtomicLong();
    private final AtomicLong lazySections = new AtomicLong();

    CheckingOps(BackendContext context) {
        this.context = context;
        this.memory = context.memory();
        this.mode = context.mode();
        this.frames = new Frames(mode);
        this.lazy = new AtomicIntegerArray(Math.max(1, context.vcpus()));
    }

    // ---- lifecycle hooks ----------------------------------------------------------------------

    @Override
    public void allocPt(long pfn) {
        announce(pfn, Frames.Level.PT, "allocPt");
    }

    @Override
    public void allocPd(long pfn) {
        announce(pfn, Frames.Level.PD, "allocPd");
    }

    @Override
    public void allocPdClone(long pfn, long clonePfn, int start, int count) {
        if (frames.levelOf(clonePfn) != Frames.Level.PD) {
            throw new ParavirtViolation(Rule.CLONE_FROM_UNANNOUNCED_ROOT, clonePfn,
                    "allocPdClone of 0x" + Long.toHexString(pfn) + " from a frame that is not an announced root",
                    "an announced page directory", String.valueOf(frames.levelOf(clonePfn)));
        }
        announce(pfn, Frames.Level.PD, "allocPdClone");
    }

    @Override
    public void releasePt(long pfn) {
        checkRelease(pfn, Frames.Level.PT, "releasePt");
        int links = frames.userLinksTo(pfn);
        if (links > 0) {
            throw new ParavirtViolation(Rule.RELEASE_OF_LINKED_TABLE, pfn, "releasePt of a user pte page a pmd entry still links",
                    "no pmd entry linking it", links + " linking entries");
        }
        frames.release(pfn);
    }

    @Override
    public void releasePd(long pfn) {
        checkRelease(pfn, Frames.Level.PD, "releasePd");
        frames.release(pfn);
    }

    private void announce(long pfn, Frames.Level level, String call) {
        if (!frames.announce(pfn, level)) {
            throw new ParavirtViolation(Rule.FRAME_ANNOUNCED_TWICE, pfn, call + " of a frame already announced",
                    "a frame that is not a page table", "announced as " + frames.levelOf(pfn));
        }
    }

    private void checkRelease(long pfn, Frames.Level level, String call) {
        Frames.Level announced = frames.levelOf(pfn);
        if (announced != level) {
            throw new ParavirtViolation(Rule.RELEASE_OF_UNANNOUNCED_FRAME, pfn, call + " of a frame not announced as " + level,
                    "announced as " + level, announced == null ? "not announced" : "announced as " + announced);
        }
        if (memory.isFree(pfn)) {
            throw new ParavirtViolation(Rule.RELEASE_OF_FREE_FRAME, pfn, call + " of a frame already in the free pool",
                    "released before it is freed", "in the free pool");
        }
        releasesChecked.incrementAndGet(); // counted once the release passed: a refusal leaves the counters alone
    }

    // ---- writes -------------------------------------------------------------------------------

    @Override
    public void setPte(long ptePa, long value) {
        store(ptePa, value);
    }

    @Override
    public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
        store(ptePa, value);
    }

    @Override
    public void setPteAtomic(long ptePa, long value) {
        store(ptePa, value); // set_pmd_pte writes pmd entries through here too
    }

    @Override
    public void setPmd(long pmdPa, long value) {
        store(pmdPa, value);
    }

    @Override
    public void setPgd(long pgdEntryPa, long value) {
        frames.rootEntryWritten(pgdEntryPa, value);
        memory.writeEntry(pgdEntryPa, value);
    }

    @Override
    public void pteClear(long mmPgdPa, long address, long ptePa) {
        store(ptePa, 0);
    }

    @Override
    public void pmdClear(long pmdPa) {
        store(pmdPa, 0);
    }

    /** Checks a write to a page directory, keeps the user links, then stores as native does. */
    private void store(long pa, long value) {
        if (frames.isDirectoryEntry(pa)) {
            if (EntryBits.isPresent(value) && !EntryBits.isLarge(value)) {
                linksChecked.incrementAndGet();
                long target = mode.entryPfn(value);
                if (frames.levelOf(target) != Frames.Level.PT) {
                    throw new ParavirtViolation(Rule.LINK_TO_UNANNOUNCED_TABLE, target,
                            String.format("pmd entry 0x%x links a frame allocPt did not announce", pa),
                            "a pte page announced with allocPt", String.valueOf(frames.levelOf(target)));
                }
            }
            frames.directoryEntryWritten(pa, value);
        }
        memory.writeEntry(pa, value);
    }

    // ---- lazy MMU mode ------------------------------------------------------------------------

    @Override
    public void enterLazyMmu() {
        int cpu = context.currentCpu();
        if (!lazy.compareAndSet(cpu, 0, 1)) {
            throw new ParavirtViolation(Rule.LAZY_MODE_NESTED, -1, "enterLazyMmu on vCPU " + cpu + " already in lazy MMU mode",
                    "lazy MMU mode off", "on");
        }
        lazySections.incrementAndGet();
    }

    @Override
    public void leaveLazyMmu() {
        int cpu = context.currentCpu();
        if (!lazy.compareAndSet(cpu, 1, 0)) {
            throw new ParavirtViolation(Rule.LAZY_MODE_NOT_ENTERED, -1, "leaveLazyMmu on vCPU " + cpu + " not in lazy MMU mode",
                    "lazy MMU mode on", "off");
        }
    }

    // ---- inspection ---------------------------------------------------------------------------

    @Override
    public Map<String, Long> counters() {
        long pt = frames.announced().values().stream().filter(l -> l == Frames.Level.PT).count();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("announced.pt", pt);
        m.put("announced.pd", frames.announced().size() - pt);
        m.put("links.checked", linksChecked.get());
        m.put("releases.checked", releasesChecked.get());
        m.put("lazy.sections", lazySections.get());
        return m;
    }

    /**
     * The typed cost events, which a cost model prices: every event, at 0. The checks run in the
     * guest's own time, as a debugging kernel's would, and every store is native's, so nothing runs
     * between the guest and the hardware. A backend that does add work (a hypercall per write, a
     * trap) counts it here, beside its free-form {@link #counters()}.
     */
    @Override
    public Map<CostEvent, Long> costEvents() {
        Map<CostEvent, Long> m = new EnumMap<>(CostEvent.class);
        for (CostEvent e : CostEvent.values()) {
            m.put(e, 0L);
        }
        return m;
    }

    @Override
    public List<Finding> audit() {
        List<Finding> findings = new ArrayList<>();
        frames.announced().forEach((pfn, level) -> {
            if (memory.isFree(pfn)) {
                findings.add(new Finding(Rule.ANNOUNCED_FRAME_IN_FREE_POOL, pfn, -1, "an announced " + level + " is in the free pool",
                        "released before it is freed", "announced as " + level + " and free"));
            }
        });
        for (int cpu = 0; cpu < lazy.length(); cpu++) {
            if (lazy.get(cpu) != 0) {
                findings.add(new Finding(Rule.LAZY_MODE_LEFT_OPEN, -1, cpu, "vCPU " + cpu + " is still in lazy MMU mode",
                        "lazy MMU mode off", "on"));
            }
        }
        return findings;
    }
}
