package io.pvmm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cost events")
class CostEventTest {

    @Test
    @DisplayName("the vocabulary keeps its stable names, in its order")
    void stableIds() {
        assertThat(Arrays.stream(CostEvent.values()).map(CostEvent::id).toList()).isEqualTo(List.of(
                "hypercall", "validated-entry", "trap-and-emulate", "vm-exit", "shadow-update", "tlb-flush",
                "tlb-miss", "walk-reference", "pin", "multicall"));
    }

    @Test
    @DisplayName("an event is found by its name, and an unknown name finds nothing")
    void byId() {
        for (CostEvent e : CostEvent.values()) {
            assertThat(CostEvent.byId(e.id())).contains(e);
        }
        assertThat(CostEvent.byId("vmexit")).isEmpty();
    }

    @Test
    @DisplayName("counts come back in the vocabulary's order and refuse a negative count")
    void counts() {
        Map<CostEvent, Long> m = CostEvent.counts(CostEvent.PIN, 3L, CostEvent.HYPERCALL, 12L);
        assertThat(m.keySet()).containsExactly(CostEvent.HYPERCALL, CostEvent.PIN);
        assertThat(m).containsEntry(CostEvent.PIN, 3L);
        assertThatThrownBy(() -> CostEvent.counts(CostEvent.PIN, -1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pin");
        assertThatThrownBy(() -> CostEvent.counts(CostEvent.PIN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a backend that says nothing of its costs reports no events")
    void defaultReportsNone() {
        ParavirtOps ops = new ParavirtOps() {
            @Override public void allocPt(long pfn) { }
            @Override public void allocPd(long pfn) { }
            @Override public void allocPdClone(long pfn, long clonePfn, int start, int count) { }
            @Override public void releasePt(long pfn) { }
            @Override public void releasePd(long pfn) { }
            @Override public void setPte(long ptePa, long value) { }
            @Override public void setPmd(long pmdPa, long value) { }
        };
        assertThat(ops.costEvents()).isEmpty();
    }
}
