package io.pvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import io.pvmm.runtime.cost.CostProfile;
import io.pvmm.runtime.cost.CostProfiles;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every cost profile a discovered backend ships parses, and every cost in it carries its source. */
@DisplayName("the backends' shipped cost profiles")
class ShippedCostProfilesTest {

    @Test
    @DisplayName("parse, and every cost has a citation or says it is assumed; vmi and nested ship none")
    void parseWithCitations() {
        int files = 0;
        for (BackendProvider p : Backends.discovered()) {
            for (String name : CostProfiles.NAMES) {
                Optional<CostProfile> profile = CostProfiles.backend(p, name);
                if (profile.isEmpty()) {
                    continue;
                }
                files++;
                assertThat(profile.get().costs()).as("%s %s", p.name(), name).isNotEmpty();
                assertThat(profile.get().costs().values()).as("%s %s", p.name(), name).allMatch(c -> c.citation().length() > 10);
            }
        }
        assertThat(files).as("native 2, xen 1, shadow 2").isEqualTo(5);
        for (String none : new String[] {"vmi", "nested"}) {
            BackendProvider p = Backends.discovered().stream().filter(b -> b.name().equals(none)).findFirst().orElseThrow();
            for (String name : CostProfiles.NAMES) {
                assertThat(CostProfiles.backend(p, name)).as("%s has no cost model on %s", none, name).isEmpty();
            }
        }
    }
}
