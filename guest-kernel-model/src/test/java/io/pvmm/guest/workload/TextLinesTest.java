package io.pvmm.guest.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("text lines")
class TextLinesTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("reads lines as readLine does: \\n and \\r\\n end a line, a last line without one is read")
    void readsLines() throws IOException {
        TextLines lines = TextLines.of(new StringReader("a\r\nb\n\nc"));

        assertThat(lines.next()).isEqualTo("a");
        assertThat(lines.next()).isEqualTo("b");
        assertThat(lines.next()).isEmpty();
        assertThat(lines.next()).isEqualTo("c");
        assertThat(lines.number()).isEqualTo(4);
        assertThat(lines.next()).isNull();
    }

    @Test
    @DisplayName("a line longer than the bound is refused with its number, before the rest is read")
    void boundsALine() throws IOException {
        TextLines lines = TextLines.of(new StringReader("ok\n" + "x".repeat(TextLines.MAX_LINE + 1) + "\n"));

        assertThat(lines.next()).isEqualTo("ok");
        assertThatThrownBy(lines::next).isInstanceOfSatisfying(TextLines.BadLine.class, e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.found()).contains("longer than 65536 characters");
        });
    }

    @Test
    @DisplayName("a line of exactly the bound is read")
    void lineAtTheBound() throws IOException {
        TextLines lines = TextLines.of(new StringReader("y".repeat(TextLines.MAX_LINE)));

        assertThat(lines.next()).hasSize(TextLines.MAX_LINE);
    }

    @Test
    @DisplayName("a file's line holding bytes that are not UTF-8 is refused with that line's number")
    void namesTheLineThatIsNotUtf8() throws IOException {
        Path f = Files.write(dir.resolve("t"), new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n'});

        try (TextLines lines = TextLines.open(f)) {
            assertThat(lines.next()).isEqualTo("ok");
            assertThatThrownBy(lines::next).isInstanceOfSatisfying(TextLines.BadLine.class, e -> {
                assertThat(e.line()).isEqualTo(2);
                assertThat(e.found()).isEqualTo("bytes that are not UTF-8 text");
            });
        }
    }
}
