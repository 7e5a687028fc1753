package io.pvmm.tck;

import io.pvmm.api.BackendContext;
import io.pvmm.api.Finding;
import io.pvmm.api.ParavirtOps;
import io.pvmm.api.ParavirtViolation;
import io.pvmm.api.ViolationRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backends with one bug each, built on the reference backend, to prove the kit catches what it claims
 * to: each is named after what it gets wrong.
 */
final class BrokenBackends {

    private BrokenBackends() {
    }

    /** A rule the broken backends break. */
    enum Rule implements ViolationRule {
        FRAME_ANNOUNCED_TWICE;

        @Override
        public String id() {
            return "frame-announced-twice";
        }

        @Override
        public String summary() {
            return "a frame is announced once until it is released";
        }
    }

    /** Forwards every call to the reference backend. */
    static class Forwarding implements ParavirtOps {
        final ParavirtOps ref;
        final BackendContext context;

        Forwarding(BackendContext context) {
            this.context = context;
            this.ref = new ReferenceProvider().create(context);
        }

        @Override
        public void allocPt(long pfn) {
            ref.allocPt(pfn);
        }

        @Override
        public void allocPd(long pfn) {
            ref.allocPd(pfn);
        }

        @Override
        public void allocPdClone(long pfn, long clonePfn, int start, int count) {
            ref.allocPdClone(pfn, clonePfn, start, count);
        }

        @Override
        public void releasePt(long pfn) {
            ref.releasePt(pfn);
        }

        @Override
        public void releasePd(long pfn) {
            ref.releasePd(pfn);
        }

        @Override
        public void setPte(long ptePa, long value) {
            ref.setPte(ptePa, value);
        }

        @Override
        public void setPmd(long pmdPa, long value) {
            ref.setPmd(pmdPa, value);
        }
    }

    /** Queues user pte writes in lazy MMU mode and forgets them when the guest leaves it. */
    public static final class ForgetsLazyWrites extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private boolean lazy;

                @Override
                public void setPteAt(long mmPgdPa, long address, long ptePa, long value) {
                    if (!lazy) {
                        ref.setPte(ptePa, value);
                    }
                }

                @Override
                public void enterLazyMmu() {
                    lazy = true;
                }

                @Override
                public void leaveLazyMmu() {
                    lazy = false;
                }
            };
        }
    }

    /** Ignores {@code set_pte_atomic}, so {@code change_page_attr} never reaches the pmds. */
    public static final class IgnoresAtomicWrites extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                @Override
                public void setPteAtomic(long ptePa, long value) {
                }
            };
        }
    }

    /** Reports a negative counter. */
    public static final class NegativeCounter extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                @Override
                public Map<String, Long> counters() {
                    return Map.of("traps", -1L);
                }
            };
        }
    }

    /** Names a counter in upper case. */
    public static final class UpperCaseCounter extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                @Override
                public Map<String, Long> counters() {
                    return Map.of("Traps", 0L);
                }
            };
        }
    }

    /** Adds a counter each time it is asked. */
    public static final class GrowingCounters extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private final AtomicLong calls = new AtomicLong();

                @Override
                public Map<String, Long> counters() {
                    Map<String, Long> m = new LinkedHashMap<>();
                    for (long i = 0, n = calls.incrementAndGet(); i < n; i++) {
                        m.put("calls-" + i, i);
                    }
                    return m;
                }
            };
        }
    }

    /** Has a name the runtime cannot select. */
    public static final class BadName extends ReferenceProvider {
        @Override
        public String name() {
            return "Bad_Name";
        }
    }

    /** Refuses a second announcement of a frame without declaring that it does. */
    public static final class RefusesDoubleAnnouncement extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private final Set<Long> announced = new HashSet<>();

                @Override
                public synchronized void allocPt(long pfn) {
                    if (!announced.add(pfn)) {
                        throw new ParavirtViolation(Rule.FRAME_ANNOUNCED_TWICE, pfn, "allocPt twice", "an unannounced frame", "announced");
                    }
                }

                @Override
                public synchronized void releasePt(long pfn) {
                    announced.remove(pfn);
                }
            };
        }
    }

    /**
     * Refuses a second announcement, as declared, but only after flipping a bit of the table's first entry: a
     * refusal that changed the guest, which an audit that checks nothing cannot see.
     */
    public static final class RefusesAfterChangingTheTable extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private final Set<Long> announced = new HashSet<>();

                @Override
                public synchronized void allocPt(long pfn) {
                    if (!announced.add(pfn)) {
                        long first = pfn << 12;
                        context.memory().writeEntry(first, context.memory().readEntry(first) ^ 0x200);
                        throw new ParavirtViolation(Rule.FRAME_ANNOUNCED_TWICE, pfn, "allocPt twice", "an unannounced frame", "announced");
                    }
                }

                @Override
                public synchronized void releasePt(long pfn) {
                    announced.remove(pfn);
                }
            };
        }
    }

    /** Finds a problem in its audit as soon as a pte table has been released. */
    public static final class AuditsAfterRelease extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private final List<Finding> findings = new ArrayList<>();

                @Override
                public synchronized void releasePt(long pfn) {
                    if (findings.isEmpty()) {
                        findings.add(new Finding(Rule.FRAME_ANNOUNCED_TWICE, pfn, -1, "stale", "nothing", "something"));
                    }
                }

                @Override
                public synchronized List<Finding> audit() {
                    return List.copyOf(findings);
                }
            };
        }
    }

    /** Stores entries with a flipped bit it does not flip back when the guest reads them. */
    public static final class OneWayEntries extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                @Override
                public long makeEntry(long value) {
                    return value ^ 0x200;
                }
            };
        }
    }

    /**
     * Tracks the page tables the guest announces, as {@link NaiveRules.ChecksTheFreePoolInItsAuditOnly}
     * does, but its audit always returns nothing: the default {@code audit()}, which every rule that
     * expects an empty audit passes. Declared with {@link Behavior#AUDIT_FINDS_GUEST_BUGS}, it must fail
     * the audit rule.
     */
    public static final class AuditFindsNothing extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new Forwarding(context) {
                private final Set<Long> tables = new HashSet<>();

                @Override
                public synchronized void allocPt(long pfn) {
                    tables.add(pfn);
                }

                @Override
                public synchronized void releasePt(long pfn) {
                    tables.remove(pfn);
                }
            };
        }
    }
}
