package io.pvmm.it.architecture;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.pvmm.guest.hw.fixture.HardwareThatHandlesItsFaults;
import io.pvmm.it.architecture.fixture.KernelThatLooksUpTheTlb;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

@DisplayName("the layers of docs/architecture.md hold")
class ArchitectureTest {

    /** Every main class of every module on this class path: api, the model, backends, runtime, kit, cli, trace-import. */
    private static final JavaClasses PROJECT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the backends' test jars (their kit declarations) are tests too, though on the class path as jars
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.pvmm");

    @TestFactory
    @DisplayName("every layer uses only what it may")
    Stream<DynamicTest> everyRuleHolds() {
        return Arrays.stream(Layers.ALL).map(rule -> DynamicTest.dynamicTest(rule.getDescription(),
                () -> assertThatCode(() -> rule.check(PROJECT)).doesNotThrowAnyException()));
    }

    @Test
    @DisplayName("the project's classes include every layer, so no rule holds for want of classes")
    void everyLayerIsImported() {
        for (String layer : new String[] {Layers.API, Layers.MODEL, Layers.HW, Layers.BACKENDS, Layers.RUNTIME, Layers.CLI,
                Layers.KIT, Layers.TRACE_IMPORT}) {
            String pkg = layer.substring(0, layer.length() - 2);
            org.assertj.core.api.Assertions.assertThat(PROJECT.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
                    .as("classes in %s", layer).isTrue();
        }
    }

    @Test
    @DisplayName("a hardware class that calls the kernel's fault code breaks two rules")
    void hardwareCallingTheKernelFails() {
        JavaClasses violation = new ClassFileImporter().importClasses(HardwareThatHandlesItsFaults.class);
        assertFails(Layers.HARDWARE_KNOWS_NO_KERNEL, violation, "io.pvmm.guest.mm.MmFault");
        assertFails(Layers.FAULTS_COME_FROM_THE_ACCESS_PATH, violation, "handleMmFault");
    }

    @Test
    @DisplayName("kernel code that looks up the TLB or walks the tables itself breaks the access-path rule")
    void kernelLookingUpTheTlbFails() {
        JavaClasses violation = new ClassFileImporter().importClasses(KernelThatLooksUpTheTlb.class);
        assertFails(Layers.TLB_LOOKUPS_ON_THE_ACCESS_PATH, violation, "lookup");
        assertFails(Layers.TLB_LOOKUPS_ON_THE_ACCESS_PATH, violation, "walk");
    }

    private static void assertFails(ArchRule rule, JavaClasses classes, String named) {
        assertThatThrownBy(() -> rule.check(classes)).isInstanceOf(AssertionError.class).hasMessageContaining(named);
    }
}
