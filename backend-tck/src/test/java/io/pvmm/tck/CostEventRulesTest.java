package io.pvmm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendContext;
import io.pvmm.api.CostEvent;
import io.pvmm.api.ParavirtOps;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The kit's cost-event rule fails a backend whose typed events are inconsistent, and passes one that reports none. */
@DisplayName("the kit's cost-event rule")
class CostEventRulesTest {

    private static final String RULE = "cost events › reports cost events that are never negative, never fall, and keep the same events through a run";

    private static List<String> failed(io.pvmm.api.BackendProvider provider) {
        return KitLauncher.run(new BackendUnderTest(provider, Map.of(), Behavior::byDefault)).stream()
                .filter(r -> r.status() == KitLauncher.Status.FAILED).map(KitLauncher.Result::test)
                .collect(Collectors.toList());
    }

    /** Reports a negative count. */
    public static final class NegativeCostEvent extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                @Override
                public Map<CostEvent, Long> costEvents() {
                    return Map.of(CostEvent.HYPERCALL, -1L);
                }
            };
        }
    }

    /** Reports a count that falls from one call to the next. */
    public static final class FallingCostEvent extends ReferenceProvider {
        @Override
        public ParavirtOps create(BackendContext context) {
            return new BrokenBackends.Forwarding(context) {
                private final AtomicLong left = new AtomicLong(1_000_000);

                @Override
                public Map<CostEvent, Long> costEvents() {
                    Map<CostEvent, Long> m = new EnumMap<>(CostEvent.class);
                    m.put(CostEvent.VM_EXIT, left.decrementAndGet());
                    return m;
                }
            };
        }
    }

    @Test
    @DisplayName("a negative count fails the rule, and nothing else")
    void negative() {
        assertThat(failed(new NegativeCostEvent())).containsExactly(RULE);
    }

    @Test
    @DisplayName("a count that falls fails the rule, and nothing else")
    void falling() {
        assertThat(failed(new FallingCostEvent())).containsExactly(RULE);
    }
}
