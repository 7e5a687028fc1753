package io.pvmm.runtime.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.CostEvent;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.guest.cost.WorkCounts;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the cost model")
class CostModelTest {

    private static final CostProfile XEN = CostProfile.parse("xeon-2003", "test",
            "hypercall 1000 a citation\nvalidated-entry 10 another\n", false);

    private static WorkCounts counts(double faults, double hypercalls, double entries) {
        Map<GuestEvent, Double> g = new EnumMap<>(GuestEvent.class);
        g.put(GuestEvent.PAGE_FAULT, faults);
        Map<CostEvent, Double> b = new EnumMap<>(CostEvent.class);
        b.put(CostEvent.HYPERCALL, hypercalls);
        b.put(CostEvent.VALIDATED_ENTRY, entries);
        return new WorkCounts(g, b);
    }

    @Test
    @DisplayName("prices the guest's work with the profile and the backend's events with the backend's costs")
    void prices() {
        CostModel model = CostModel.of("xeon-2003", Map.of(), Set.of("xen"));
        long fault = CostProfiles.guest("xeon-2003").cost("guest.page-fault").orElseThrow().cycles();
        CostEstimate e = model.price("xen", Optional.of(XEN), counts(2, 3, 4));
        assertThat(e.priced()).isTrue();
        assertThat(e.guestCycles()).isEqualTo(2.0 * fault);
        assertThat(e.backendCycles()).isEqualTo(3 * 1000 + 4 * 10);
        assertThat(e.micros()).isEqualTo(e.cycles() / 2400);
    }

    @Test
    @DisplayName("an override replaces one cost, of a backend's event or of the guest's work")
    void overridesWork() {
        CostModel model = CostModel.of("xeon-2003", Map.of("cost.xen.hypercall", "250", "guest.page-fault", "7"), Set.of("xen"));
        CostEstimate e = model.price("xen", Optional.of(XEN), counts(2, 3, 4));
        assertThat(e.backendCycles()).isEqualTo(3 * 250 + 4 * 10);
        assertThat(e.guestCycles()).isEqualTo(14);
    }

    @Test
    @DisplayName("an override of an unknown backend or event, or that is not a number, is PVMM-E073")
    void badOverridesAreCoded() {
        for (Map<String, String> bad : java.util.List.of(Map.of("cost.xne.hypercall", "1"), Map.of("cost.xen.hypercal", "1"),
                Map.of("cost.xen.hypercall", "fast"), Map.of("cost.guest.hypercall", "1"))) {
            assertThatThrownBy(() -> CostModel.of("xeon-2003", bad, Set.of("xen"))).as("%s", bad)
                    .isInstanceOfSatisfying(PvmmException.class, x -> assertThat(x.error()).isEqualTo(PvmmError.BAD_COST_OVERRIDE));
        }
    }

    @Test
    @DisplayName("a backend without costs for the profile, or that reports no events, has no cost model")
    void noProfileNoCost() {
        CostModel model = CostModel.of("xeon-2003", Map.of(), Set.of("xen"));
        CostEstimate none = model.price("vmi", Optional.empty(), counts(2, 3, 4));
        assertThat(none.priced()).isFalse();
        assertThat(none.cycles()).isZero();
        assertThat(model.price("xen", Optional.of(XEN), new WorkCounts(Map.of(GuestEvent.PAGE_FAULT, 1.0), Map.of())).priced()).isFalse();
        assertThat(CostEstimate.NO_COST_MODEL).isEqualTo("no cost model");
    }

    @Test
    @DisplayName("an event the backend counted but has no cost for is named, not priced at a made-up figure")
    void unpricedEventsAreNamed() {
        CostProfile partial = CostProfile.parse("xeon-2003", "test", "hypercall 1000 a citation\n", false);
        CostEstimate e = CostModel.of("xeon-2003", Map.of(), Set.of("xen")).price("xen", Optional.of(partial), counts(0, 1, 5));
        assertThat(e.unpriced()).containsExactly("validated-entry");
        assertThat(e.backendCycles()).isEqualTo(1000);
    }

    @Test
    @DisplayName("native ships a profile for every named profile, each event at zero with its reason")
    void nativeShipsZeroes() {
        var provider = new io.pvmm.backend.nativeops.NativeProvider();
        for (String name : CostProfiles.NAMES) {
            CostProfile p = CostProfiles.backend(provider, name).orElseThrow();
            assertThat(p.costs()).hasSize(CostEvent.values().length);
            assertThat(p.costs().values()).allMatch(c -> c.cycles() == 0 && !c.citation().isBlank());
        }
    }
}
