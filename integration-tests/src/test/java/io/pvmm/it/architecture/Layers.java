package io.pvmm.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchRule;
import io.pvmm.api.ParavirtOps;
import io.pvmm.guest.arch.Fault;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.hw.Tlb;
import io.pvmm.guest.mm.MmFault;
import java.util.Set;

/**
 * The layers of {@code docs/architecture.md}, as ArchUnit rules: what each layer may use and what it
 * must not. {@link ArchitectureTest} holds the project's classes to them.
 */
final class Layers {

    static final String API = "io.pvmm.api..";
    static final String MODEL = "io.pvmm.guest..";
    static final String HW = "io.pvmm.guest.hw..";
    static final String BACKENDS = "io.pvmm.backend..";
    static final String RUNTIME = "io.pvmm.runtime..";
    static final String CLI = "io.pvmm.cli..";
    static final String KIT = "io.pvmm.tck..";
    static final String TRACE_IMPORT = "io.pvmm.trace..";

    /** api: the JDK alone. */
    static final ArchRule API_USES_THE_JDK_ALONE = classes().that().resideInAPackage(API)
            .should().onlyDependOnClassesThat().resideInAnyPackage(API, "java..")
            .as("api depends on the JDK alone");

    /** The model: api and itself; never a backend, the runtime or a library. */
    static final ArchRule MODEL_USES_API_ALONE = classes().that().resideInAPackage(MODEL)
            .should().onlyDependOnClassesThat().resideInAnyPackage(MODEL, API, "java..")
            .as("the guest-kernel model uses api and the JDK alone");

    /** The hardware layer: api and itself; nothing of the kernel's code. */
    static final ArchRule HARDWARE_KNOWS_NO_KERNEL = classes().that().resideInAPackage(HW)
            .should().onlyDependOnClassesThat().resideInAnyPackage(HW, API, "java..")
            .as("the hardware layer (io.pvmm.guest.hw) uses api and the JDK alone, nothing of the kernel's code");

    /** The hardware's own events reach a backend from the hardware layer only (decorators forward them). */
    static final ArchRule HARDWARE_EVENTS_COME_FROM_HARDWARE = noClasses().that().resideInAPackage(MODEL)
            .and().resideOutsideOfPackage(HW).and().doNotImplement(ParavirtOps.class)
            .should().callMethodWhere(call(ParavirtOps.class, Set.of("storeTrapped", "pageWalk", "accessedDirtySet", "pageFaultRaised")))
            .as("write traps, walks, accessed/dirty updates and raised page faults reach the backend from the hardware layer only");

    /** TLB lookups, fills and walks happen on the hardware's access path only. */
    static final ArchRule TLB_LOOKUPS_ON_THE_ACCESS_PATH = noClasses().that().resideOutsideOfPackage(HW)
            .should().callMethodWhere(call(Tlb.class, Set.of("lookup", "fill")))
            .orShould().callMethodWhere(call(Mmu.class, Set.of("walk")))
            .as("TLB lookups, fills and the walks that feed them happen in the hardware layer only");

    /** A fault comes from the hardware's access path, handled by do_page_fault. */
    static final ArchRule FAULTS_COME_FROM_THE_ACCESS_PATH = noClasses().that().doNotBelongToAnyOf(Fault.class)
            .should().callMethodWhere(call(MmFault.class, Set.of("handleMmFault")))
            .as("handle_mm_fault is called by do_page_fault (arch.Fault) alone, which the hardware's access path raises");

    /** Backends: api (and libraries inside them), never the model, the runtime, each other. */
    static final ArchRule BACKENDS_USE_API_ONLY = noClasses().that().resideInAPackage(BACKENDS)
            .should().dependOnClassesThat().resideInAnyPackage(MODEL, RUNTIME, CLI, KIT, TRACE_IMPORT)
            .as("backends use api, never the model, the runtime, the cli, the kit or trace-import");

    /** No backend uses another. */
    static final ArchRule BACKENDS_ARE_INDEPENDENT = slices().matching("io.pvmm.backend.(*)..")
            .should().notDependOnEachOther()
            .as("no backend uses another");

    /** The runtime finds backends at run time: no compile-time reference. */
    static final ArchRule RUNTIME_NAMES_NO_BACKEND = noClasses().that().resideInAPackage(RUNTIME)
            .should().dependOnClassesThat().resideInAnyPackage(BACKENDS, CLI, KIT)
            .as("the runtime names no backend, and not the cli or the kit");

    /** The cli reaches backends through the runtime only. */
    static final ArchRule CLI_NAMES_NO_BACKEND = noClasses().that().resideInAPackage(CLI)
            .should().dependOnClassesThat().resideInAnyPackage(BACKENDS, KIT)
            .as("the cli names no backend (it gets them from the runtime) and not the kit");

    /** The kit tests any backend through api: it names none, nor the runtime or the cli. */
    static final ArchRule KIT_NAMES_NO_BACKEND = noClasses().that().resideInAPackage(KIT)
            .should().dependOnClassesThat().resideInAnyPackage(BACKENDS, RUNTIME, CLI)
            .as("the kit names no backend, and not the runtime or the cli");

    /** trace-import turns traces into workloads: the model's, nothing above it. */
    static final ArchRule TRACE_IMPORT_USES_THE_MODEL_ONLY = noClasses().that().resideInAPackage(TRACE_IMPORT)
            .should().dependOnClassesThat().resideInAnyPackage(BACKENDS, RUNTIME, CLI, KIT)
            .as("trace-import uses the model, never a backend, the runtime, the cli or the kit");

    /** Every rule, in the order of {@code docs/architecture.md}. */
    static final ArchRule[] ALL = {
        API_USES_THE_JDK_ALONE, MODEL_USES_API_ALONE, HARDWARE_KNOWS_NO_KERNEL, HARDWARE_EVENTS_COME_FROM_HARDWARE,
        TLB_LOOKUPS_ON_THE_ACCESS_PATH, FAULTS_COME_FROM_THE_ACCESS_PATH, BACKENDS_USE_API_ONLY, BACKENDS_ARE_INDEPENDENT,
        RUNTIME_NAMES_NO_BACKEND, CLI_NAMES_NO_BACKEND, KIT_NAMES_NO_BACKEND, TRACE_IMPORT_USES_THE_MODEL_ONLY,
    };

    private Layers() {
    }

    private static DescribedPredicate<JavaMethodCall> call(Class<?> owner, Set<String> methods) {
        return DescribedPredicate.describe(owner.getSimpleName() + "." + String.join("/", methods),
                c -> c.getTargetOwner().isAssignableTo(owner) && methods.contains(c.getName()));
    }
}
