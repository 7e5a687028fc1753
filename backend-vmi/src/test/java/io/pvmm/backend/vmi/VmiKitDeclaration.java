package io.pvmm.backend.vmi;

import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.tck.AuditedBug;
import io.pvmm.tck.Behavior;
import io.pvmm.tck.KitDeclaration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What vmi declares to the compatibility kit: it refuses a second announcement of a typed frame and a
 * release of an untyped one (vmi.c's page-type checks), and its audit, comparing every shadow with the
 * guest table it shadows, finds a pte page linked by a plain store ({@code shadow-mismatch}).
 */
public final class VmiKitDeclaration implements KitDeclaration {

    @Override
    public String backend() {
        return "vmi";
    }

    @Override
    public Set<Behavior> behaviors() {
        return EnumSet.of(Behavior.REJECTS_DOUBLE_ANNOUNCE, Behavior.REJECTS_RELEASE_OF_UNANNOUNCED_FRAME,
                Behavior.AUDIT_FINDS_GUEST_BUGS);
    }

    @Override
    public List<AuditedBug> auditedBugs() {
        return List.of(AuditedBug.of(GuestBug.WRITE_TABLE_DIRECTLY, "shadow-mismatch"));
    }
}
