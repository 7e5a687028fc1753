package io.pvmm.runtime.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("docs/errors.md")
class ErrorDocsTest {

    /** The checked-in page, from the runtime module's directory (Maven runs tests there). */
    private static final Path PAGE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .getParent().resolve("docs").resolve("errors.md");

    @Test
    @DisplayName("is the catalogue rendered: regenerate it with -Dpvmm.docs.update=true when the catalogue changes")
    void pageIsUpToDate() throws IOException {
        String rendered = ErrorDocs.page();
        if (Boolean.getBoolean("pvmm.docs.update")) {
            Files.createDirectories(PAGE.getParent());
            Files.writeString(PAGE, rendered, StandardCharsets.UTF_8);
        }
        String onDisk = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";

        assertThat(onDisk)
                .as(PAGE + " differs from the error catalogue (io.pvmm.runtime.error.PvmmError); regenerate it with: "
                        + ErrorDocs.REGENERATE)
                .isEqualTo(rendered);
    }

    @Test
    @DisplayName("has one anchored section per code, each the text pvmm explain prints")
    void everyCodeHasAnAnchoredSection() {
        String page = ErrorDocs.page();
        for (PvmmError e : PvmmError.values()) {
            assertThat(page).contains("<a id=\"" + e.anchor() + "\"></a>\n\n" + ErrorDocs.entry(e));
            assertThat(ErrorDocs.entry(e)).startsWith("## " + e.code() + " " + e.title() + "\n")
                    .contains("Cause: ", "Fix: ", "Example:", "    " + e.code());
        }
    }
}
