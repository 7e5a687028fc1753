package io.pvmm.runtime.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The error catalogue")
class PvmmErrorTest {

    @Test
    @DisplayName("codes keep the numbers later work relies on")
    void codesArePinned() {
        Map<String, PvmmError> expected = new LinkedHashMap<>();
        expected.put("PVMM-E001", PvmmError.NO_BACKEND);
        expected.put("PVMM-E002", PvmmError.UNKNOWN_BACKEND);
        expected.put("PVMM-E003", PvmmError.DUPLICATE_BACKEND);
        expected.put("PVMM-E004", PvmmError.PROVIDER_LOAD_FAILED);
        expected.put("PVMM-E005", PvmmError.BACKEND_CREATE_FAILED);
        expected.put("PVMM-E006", PvmmError.UNSUPPORTED_PAGING_MODE);
        expected.put("PVMM-E007", PvmmError.INCOMPATIBLE_SPI_VERSION);
        expected.put("PVMM-E008", PvmmError.UNKNOWN_SETTING);
        expected.put("PVMM-E009", PvmmError.INVALID_SETTING_VALUE);
        expected.put("PVMM-E010", PvmmError.CONFIG_FILE_UNREADABLE);
        expected.put("PVMM-E011", PvmmError.UNKNOWN_WORKLOAD);
        expected.put("PVMM-E012", PvmmError.MALFORMED_TRACE);
        expected.put("PVMM-E013", PvmmError.TRACE_UNREADABLE);
        expected.put("PVMM-E014", PvmmError.OUTPUT_NOT_WRITABLE);
        expected.put("PVMM-E015", PvmmError.NOT_A_BACKEND_JAR);
        expected.put("PVMM-E016", PvmmError.GUEST_OUT_OF_MEMORY);
        expected.put("PVMM-E017", PvmmError.BACKEND_FAILURE);
        expected.put("PVMM-E018", PvmmError.GUEST_BUG);
        expected.forEach((code, error) -> assertThat(error.code()).as(error.name()).isEqualTo(code));
    }

    @Test
    @DisplayName("no two entries share a code")
    void codesAreUnique() {
        assertThat(Arrays.stream(PvmmError.values()).map(PvmmError::code)).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("backend selection errors exit with 3 and configuration errors with 2")
    void kindsFixExitCodes() {
        for (PvmmError e : PvmmError.values()) {
            if (e.number() > 18) {
                continue; // the fixed range's rule; later codes are checked below
            }
            // E004 is reported as a warning (the listing goes on; the selection that needs the backend is E002)
            int expected = e == PvmmError.PROVIDER_LOAD_FAILED ? 0 : e.number() <= 7 ? 3 : e.number() <= 15 ? 2 : 1;
            assertThat(e.kind().exitCode()).as(e.code()).isEqualTo(expected);
        }
        for (PvmmError e : List.of(PvmmError.MALFORMED_HOOK_RECORDING, PvmmError.HOOK_RECORDING_UNREADABLE,
                PvmmError.BACKEND_JAR_CHECK_FAILED, PvmmError.STRACE_LOG_MALFORMED, PvmmError.STRACE_LOG_UNREADABLE,
                PvmmError.MAPPING_DOES_NOT_FIT)) {
            assertThat(e.kind().exitCode()).as(e.code() + ": bad input").isEqualTo(2);
        }
        for (PvmmError e : List.of(PvmmError.BACKEND_PATH_MISSING, PvmmError.BACKEND_PATH_NOT_A_DIRECTORY, PvmmError.BACKEND_JAR_UNREADABLE,
                PvmmError.NOT_A_JAR_ON_BACKEND_PATH, PvmmError.BACKEND_JAR_REGISTERS_NOTHING)) {
            assertThat(e.kind().exitCode()).as(e.code() + ": a warning").isZero();
        }
        for (PvmmError e : List.of(PvmmError.STRACE_NOT_FOUND, PvmmError.STRACE_RECORD_FAILED)) {
            assertThat(e.kind().exitCode()).as(e.code() + ": the run failed").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PvmmError.class)
    @DisplayName("every entry's example renders: code and headline, indented details, a link to its docs")
    void exampleRenders(PvmmError error) {
        String message = error.example().getMessage();
        String[] lines = message.split("\n");

        assertThat(lines[0]).startsWith(error.code() + " ").endsWith(".");
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("{").isNotBlank());
        assertThat(Arrays.copyOfRange(lines, 1, lines.length)).allSatisfy(line -> assertThat(line).startsWith("  "));
        assertThat(lines[lines.length - 1]).isEqualTo("  See docs/errors.md#" + error.anchor() + ", or run: pvmm explain " + error.code());
        assertThat(error.cause()).isNotBlank();
        assertThat(error.fix()).isNotBlank();
    }

    @Test
    @DisplayName("a message names its source after the headline, and drops detail lines that come out empty")
    void messageShape() {
        PvmmException e = new PvmmException(PvmmError.UNKNOWN_BACKEND, "environment PVMM_BACKEND", Map.of(
                "name", "xne", "discovered", "native (/a.jar), xen (/b.jar)", "suggestion", " Did you mean 'xen'?", "failures", ""));

        assertThat(e.getMessage()).isEqualTo("PVMM-E002 unknown backend 'xne' (from environment PVMM_BACKEND).\n"
                + "  Discovered: native (/a.jar), xen (/b.jar). Did you mean 'xen'?\n"
                + "  See docs/errors.md#pvmm-e002, or run: pvmm explain PVMM-E002");
        assertThat(e.source()).hasValue("environment PVMM_BACKEND");
        assertThat(e.exitCode()).isEqualTo(3);
    }

    @Test
    @DisplayName("a missing or an unused argument is a programming error, caught at once")
    void argumentsMustMatchTemplate() {
        assertThatThrownBy(() -> new PvmmException(PvmmError.UNKNOWN_SETTING, null, Map.of("key", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{accepted}");
        assertThatThrownBy(() -> new PvmmException(PvmmError.INVALID_SETTING_VALUE, null,
                Map.of("key", "x", "value", "y", "problem", "z", "extra", "w")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{extra}");
    }

    @Test
    @DisplayName("a code is found however it is written")
    void fromCode() {
        assertThat(PvmmError.fromCode("PVMM-E002")).hasValue(PvmmError.UNKNOWN_BACKEND);
        assertThat(PvmmError.fromCode("pvmm-e002")).hasValue(PvmmError.UNKNOWN_BACKEND);
        assertThat(PvmmError.fromCode("E2")).hasValue(PvmmError.UNKNOWN_BACKEND);
        assertThat(PvmmError.fromCode("PVMM-E099")).isEmpty();
        assertThat(PvmmError.fromCode("backend")).isEmpty();
    }
}
