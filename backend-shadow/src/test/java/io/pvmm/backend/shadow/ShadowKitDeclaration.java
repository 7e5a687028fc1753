package io.pvmm.backend.shadow;

import io.pvmm.tck.Behavior;
import io.pvmm.tck.KitDeclaration;
import java.util.EnumSet;
import java.util.Set;

/**
 * What shadow declares to the compatibility kit: it finds the guest's page tables without the lifecycle
 * hooks, from CR3 and trapped stores. It declares no audit the kit can check: none of the model's guest
 * bugs leaves a shadow its audit finds out of step, since it never relies on the hooks the bugs skip.
 */
public final class ShadowKitDeclaration implements KitDeclaration {

    @Override
    public String backend() {
        return "shadow";
    }

    @Override
    public Set<Behavior> behaviors() {
        return EnumSet.of(Behavior.FINDS_PAGE_TABLES_WITHOUT_HOOKS);
    }
}
