package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvmm.api.KernelVersion;
import io.pvmm.guest.config.GuestConfig;
import io.pvmm.runtime.PvmmRuntime;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigInputs;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import io.pvmm.runtime.guest.GuestRuntime;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guest.kernel}: which kernel runs, and the refusal of one older than the backend serves. */
@DisplayName("guest.kernel")
class GuestKernelTest {

    @TempDir
    Path dir;

    private CliRunner cli() {
        return new CliRunner(dir).runtime(GuestRuntime::discover);
    }

    private static JsonNode json(String out) throws Exception {
        return new ObjectMapper().readTree(out);
    }

    private GuestConfig guestConfig(String backend, String kernel) {
        PvmmRuntime runtime = GuestRuntime.discover();
        ConfigInputs in = ConfigInputs.none(dir).withOption("backend", backend, "--backend");
        if (kernel != null) {
            in = in.withOption("guest.kernel", kernel, "--set");
        }
        Configuration config = runtime.configure(in);
        Selection selection = runtime.select(config);
        return GuestRuntime.guestConfig(runtime.registry(), config, selection);
    }

    @Test
    @DisplayName("the runtime refuses xen with guest.kernel=2.6.21 as PVMM-E065: the first Xen pv-ops kernel is 2.6.23")
    void runtimeRefusesXenOnTwoSixTwentyOne() {
        assertThatThrownBy(() -> guestConfig("xen", "2.6.21")).isInstanceOfSatisfying(PvmmException.class, e -> {
            assertThat(e.error()).isEqualTo(PvmmError.KERNEL_NOT_SERVED);
            assertThat(e.exitCode()).isEqualTo(2);
            assertThat(e.getMessage()).startsWith("PVMM-E065 backend 'xen' cannot run guest kernel 2.6.21: it serves 2.6.23 and later")
                    .contains("2.6.23 is the first Xen pv-ops kernel", "Accepted for 'xen' in two-level mode: 2.6.23.",
                            "Remove guest.kernel")
                    .containsPattern("Backends that serve 2\\.6\\.21: (\\w+, )*native, nested, shadow, vmi\\.");
        });
    }

    @Test
    @DisplayName("without guest.kernel each backend runs the oldest kernel it serves: 2.6.21 for native and vmi, 2.6.23 for xen")
    void defaultsPerBackend() {
        assertThat(guestConfig("native", null).kernel()).isEqualTo(KernelVersion.V2_6_21);
        assertThat(guestConfig("vmi", null).kernel()).isEqualTo(KernelVersion.V2_6_21);
        assertThat(guestConfig("shadow", null).kernel()).isEqualTo(KernelVersion.V2_6_21);
        assertThat(guestConfig("nested", null).kernel()).isEqualTo(KernelVersion.V2_6_21);
        assertThat(guestConfig("xen", null).kernel()).isEqualTo(KernelVersion.V2_6_23);
        assertThat(guestConfig("native", "2.6.23").kernel()).isEqualTo(KernelVersion.V2_6_23);
        assertThat(guestConfig("xen", "2.6.23").kernel()).isEqualTo(KernelVersion.V2_6_23);
    }

    @Test
    @DisplayName("pvmm run --backend xen --set guest.kernel=2.6.21 exits 2 with PVMM-E065 and runs nothing")
    void cliRefusesXenOnTwoSixTwentyOne() {
        CliRunner.Result r = cli().run("run", "--backend", "xen", "--set", "guest.kernel=2.6.21", "--memory-mib", "64");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E065 backend 'xen' cannot run guest kernel 2.6.21: it serves 2.6.23 and later")
                .contains("docs/errors.md#pvmm-e065");
        assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("a kernel that is not modelled is PVMM-E009, naming the accepted versions")
    void unknownKernelIsInvalid() {
        CliRunner.Result r = cli().run("run", "--set", "guest.kernel=2.6.22", "--memory-mib", "64");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("PVMM-E009 invalid value '2.6.22' for setting 'guest.kernel'")
                .contains("accepted: 2.6.21, 2.6.23");
    }

    @Test
    @DisplayName("the run report names the kernel that ran, in text and JSON")
    void reportsTheKernel() throws Exception {
        String[] small = {"--workload", "fork-exit", "--memory-mib", "64", "--set", "workload.processes=4"};
        CliRunner.Result xen = cli().run(concat(new String[] {"run", "--backend", "xen", "--format", "json"}, small));
        assertThat(xen.exitCode()).as(xen.err()).isZero();
        assertThat(json(xen.out()).get("kernel").asText()).isEqualTo("2.6.23");

        CliRunner.Result nat = cli().run(concat(new String[] {"run", "--backend", "native"}, small));
        assertThat(nat.exitCode()).as(nat.err()).isZero();
        assertThat(nat.out()).startsWith("backend native, mode two-level, kernel 2.6.21, workload fork-exit");
    }

    @Test
    @DisplayName("compare runs each backend at its own default kernel and shows it in the table")
    void compareShowsEachKernel() {
        CliRunner.Result r = cli().run("compare", "--backends", "native,xen", "--workload", "fork-exit", "--memory-mib", "64",
                "--set", "workload.processes=4");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("kernel +2\\.6\\.21 +2\\.6\\.23");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
