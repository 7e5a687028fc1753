package io.pvmm.backend.xen;

import io.pvmm.tck.Behavior;
import io.pvmm.tck.KitDeclaration;
import java.util.EnumSet;
import java.util.Set;

/**
 * What xen declares to the compatibility kit: it refuses a second announcement of a typed frame and a
 * release of an untyped one. It declares no audit the kit can check: each of the model's guest bugs
 * that xen catches, it refuses as the guest makes the call (a direct write to a read-only table, a
 * pin of a pinned frame), so no audit is left to find it.
 */
public final class XenKitDeclaration implements KitDeclaration {

    @Override
    public String backend() {
        return "xen";
    }

    @Override
    public Set<Behavior> behaviors() {
        return EnumSet.of(Behavior.REJECTS_DOUBLE_ANNOUNCE, Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME);
    }
}
