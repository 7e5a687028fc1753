package io.pvmm.runtime.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.api.CostEvent;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cost profiles")
class CostProfileTest {

    @Test
    @DisplayName("every shipped guest profile parses, says its clock, and prices each of the guest's events with a citation")
    void shippedGuestProfilesParse() {
        for (String name : CostProfiles.NAMES) {
            CostProfile p = CostProfiles.guest(name);
            assertThat(p.clockGhz()).as(name).isPositive();
            assertThat(p.clock()).as(name).isNotBlank();
            for (GuestEvent e : GuestEvent.values()) {
                assertThat(p.cost("guest." + e.id())).as("%s prices guest.%s", name, e.id()).isPresent();
            }
            assertThat(p.costs().values()).allMatch(c -> c.citation().length() > 10);
        }
    }

    @Test
    @DisplayName("a line for an event there is none of is PVMM-E070, naming the line and the accepted events")
    void unknownEventIsCoded() {
        assertThatThrownBy(() -> CostProfile.parse("p", "test", "# a profile\nhypercal 10 a typo\n", false))
                .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.COST_PROFILE_UNKNOWN_EVENT))
                .hasMessageContaining("line 2").hasMessageContaining("'hypercal'").hasMessageContaining("Did you mean 'hypercall'?")
                .hasMessageContaining(CostEvent.WALK_REFERENCE.id());
        assertThatThrownBy(() -> CostProfile.parse("p", "test", "clock 2.4 x\nguest.hypercall 10 a backend's event in the guest's file\n", true))
                .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.COST_PROFILE_UNKNOWN_EVENT));
    }

    @Test
    @DisplayName("a cost without a citation, or cycles that are not a whole number, is PVMM-E071")
    void malformedLinesAreCoded() {
        for (String text : new String[] {"hypercall 10\n", "hypercall 1,080 SOSP 2003\n", "hypercall 10 a\nhypercall 12 twice\n"}) {
            assertThatThrownBy(() -> CostProfile.parse("p", "test", text, false)).as(text)
                    .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.COST_PROFILE_MALFORMED));
        }
        assertThatThrownBy(() -> CostProfile.parse("p", "test", "guest.syscall 10 no clock line\n", true))
                .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.COST_PROFILE_MALFORMED));
    }

    @Test
    @DisplayName("a profile that does not exist is PVMM-E072, with the profiles there are")
    void unknownProfileIsCoded() {
        assertThatThrownBy(() -> CostProfiles.guest("p4"))
                .isInstanceOfSatisfying(PvmmException.class, e -> assertThat(e.error()).isEqualTo(PvmmError.UNKNOWN_COST_PROFILE))
                .hasMessageContaining("xeon-2003").hasMessageContaining("p4-2006");
    }

    @Test
    @DisplayName("a profile reads as a person wrote it: comments and blank lines skipped, costs in file order")
    void parsesWhatItReads() {
        CostProfile p = CostProfile.parse("p", "test", "# head\n\nhypercall  1080  SOSP 2003, Table 3\npin 0 nothing else is priced\n", false);
        assertThat(p.costs().keySet()).containsExactly("hypercall", "pin");
        assertThat(p.cost("hypercall").orElseThrow().cycles()).isEqualTo(1080);
        assertThat(p.cost("hypercall").orElseThrow().citation()).isEqualTo("SOSP 2003, Table 3");
        assertThat(p.cost("hypercall").orElseThrow().line()).isEqualTo(3);
    }
}
