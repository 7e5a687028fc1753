package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pvmm replay")
class ReplayCommandTest {

    private static final String TRACE = """
            pvmm-trace 1
            spawn 1
            exec 1 text=16 data=4 bss=4 stack=2 file=1
            fork 1 2
            mmap 2 0x40000000 0x10000 rw- private
            touch 2 0x40000000 0x10000 w
            munmap 2 0x40008000 0x8000
            exit 2
            kalloc 7 4
            change_page_attr 7 nocache
            change_page_attr 7 kernel
            global_flush_tlb
            kfree 7
            """;

    @TempDir
    Path dir;

    @Test
    @DisplayName("runs a trace file with the options of run, even one named like a built-in workload")
    void replaysATrace() throws IOException {
        Files.writeString(dir.resolve("boot"), TRACE);

        CliRunner.Result r = new CliRunner(dir).run("replay", "boot", "--backend", "native", "--mode", "pae");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("backend native, mode pae, kernel 2.6.21, workload boot, seed 1, 1 vCPU\n")
                .contains("completed in", "12 operations (OK 12,", "hooks balanced: yes");
    }

    @Test
    @DisplayName("a missing trace is PVMM-E013, a malformed one PVMM-E012 with its line; both exit 2")
    void badTraces() throws IOException {
        Files.writeString(dir.resolve("bad.trace"), "pvmm-trace 1\nspawn 1\nmmap 1 0x08048000\n");

        CliRunner.Result missing = new CliRunner(dir).run("replay", "none.trace");
        CliRunner.Result bad = new CliRunner(dir).run("replay", "bad.trace");

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("PVMM-E013 trace file " + dir.resolve("none.trace") + " cannot be read (from TRACE argument).");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("PVMM-E012 trace file " + dir.resolve("bad.trace") + " is malformed at line 3");
    }
}
