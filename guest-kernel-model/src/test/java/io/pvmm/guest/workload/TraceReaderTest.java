package io.pvmm.guest.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.guest.arch.PageAttr;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.mm.Vma;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("TraceReader: the pvmm trace format")
class TraceReaderTest {

    private static final String GOOD = """
            # a comment, then the header
            pvmm-trace 1
            spawn 1
            exec 1 text=8 data=2 bss=2 stack=1 file=3   # sizes in pages
            fork 1 2
            clone 2 3
            mmap 2 0x40000000 0x10000 rw- private
            mmap 2 0 4096 r-- shared file=4 pgoff=2
            touch 2 0x40000000 0x2000 w
            touch 3 0x40000000 r
            mprotect 2 0x40000000 0x1000 r--
            munmap 2 0x40008000 0x8000
            brk 2 0x08060000
            kalloc 7 4
            change_page_attr 7 nocache
            cpa 7 kernel
            global_flush_tlb
            kfree 7
            vmalloc 9 16
            vtouch 2 9
            vmalloc_sync_all
            vfree 9
            reap
            exit 3
            exit 2
            """;

    @Test
    @DisplayName("every operation of the format is read, in order, and written back the same way")
    void readsEveryOperation() throws Exception {
        List<Op> ops = TraceReader.read("good.trace", new StringReader(GOOD));
        assertThat(ops).hasSize(23);
        assertThat(ops.get(1)).isEqualTo(new Op.Exec(1, new ExecImage(3, 8, 2, 2, 1)));
        assertThat(ops.get(4)).isEqualTo(new Op.Mmap(2, 0x4000_0000L, 0x10000, Vma.READ | Vma.WRITE, 0, 0));
        assertThat(ops.get(5)).isEqualTo(new Op.Mmap(2, 0, 4096, Vma.READ | Vma.SHARED, 4, 2));
        assertThat(ops.get(7)).isEqualTo(new Op.Touch(3, 0x4000_0000L, 4096, false));
        assertThat(ops.get(13)).isEqualTo(new Op.ChangePageAttr(7, PageAttr.Attr.KERNEL));
        StringWriter out = new StringWriter();
        TraceWorkload.write(ops, out);
        assertThat(TraceReader.read("again", new StringReader(out.toString()))).isEqualTo(ops);
    }

    @ParameterizedTest(name = "line {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            pvmm-trace 2                                   | 1 | the header 'pvmm-trace 1'
            pvmm-trace 1\\nfork 1 2                         | 2 | task 1, which appears before it was created
            pvmm-trace 1\\nspawn 1\\nspawn 1                | 3 | task 1, which already exists
            pvmm-trace 1\\nspawn 1\\nmmap 1 0x1000 4096 rwz private | 3 | a protection in rwx notation
            pvmm-trace 1\\nspawn 1\\nmmap 1 0x1000 0 rw- private    | 3 | a number from 1
            pvmm-trace 1\\nspawn 1\\ntouch 1 0x1000 x                | 3 | r or w
            pvmm-trace 1\\nspawn 1\\nexit 1\\ntouch 1 0x1000 r       | 4 | which has exited
            pvmm-trace 1\\nfrobnicate 1                     | 2 | an operation (spawn, fork
            pvmm-trace 1\\nspawn 1\\nexec 1 text=0                   | 3 | an image of at least one text
            pvmm-trace 1\\nkfree 3                          | 2 | buffer 3, which does not exist
            pvmm-trace 1\\nspawn 1\\nmunmap 1 0x1000               | 3 | 'munmap PID ADDR LEN'
            """)
    @DisplayName("a bad line is refused with its number and what was expected")
    void rejectsBadLines(String text, int line, String words) {
        assertThatThrownBy(() -> TraceReader.read("bad.trace", new StringReader(text.replace("\\n", "\n"))))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("bad.trace:" + line + ": expected")
                .hasMessageContaining(words)
                .extracting("line").isEqualTo(line);
    }

    @Test
    @DisplayName("an empty file is refused: the header is missing")
    void emptyFile() {
        assertThatThrownBy(() -> TraceReader.read("empty.trace", new StringReader("# nothing\n")))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("an empty file");
    }

    @Test
    @DisplayName("with several vCPUs a task's operations go to vCPU pid % n, kernel work to vCPU 0")
    void dispatch() throws IOException, TraceFormatException {
        TraceWorkload w = new TraceWorkload("t", TraceReader.read("t", new StringReader(GOOD)));
        var streams = w.streams(2, 1);
        assertThat(streams).hasSize(2);
        List<Op> second = new java.util.ArrayList<>();
        streams.get(1).forEachRemaining(second::add);
        assertThat(second).allMatch(op -> op.pid() % 2 == 1 && !(op instanceof Op.Vtouch));
        assertThat(w.crossStream()).isTrue();
    }
}
