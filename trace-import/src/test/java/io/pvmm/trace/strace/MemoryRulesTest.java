package io.pvmm.trace.strace;

import static io.pvmm.trace.strace.Imports.END;
import static io.pvmm.trace.strace.Imports.ROOT;
import static io.pvmm.trace.strace.Imports.all;
import static io.pvmm.trace.strace.Imports.lines;
import static io.pvmm.trace.strace.Imports.run;
import static io.pvmm.trace.strace.Imports.warnings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvmm.guest.workload.Op;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Importing strace: memory")
class MemoryRulesTest {

    /** Where the heap starts: after 16 text, 4 data and 4 bss pages from 0x08048000. */
    private static final long HEAP = 0x0804_8000L + 24 * 4096;

    @Test
    @DisplayName("mmap keeps size, protection, sharing and backing; the mmap area's layout is kept below 0xB7F00000")
    void mmapLayout() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000300000
                100 mmap(NULL, 34547, PROT_READ, MAP_SHARED, 3, 0) = 0x7f0000010000
                100 mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 4, 0) = 0x7f0000020000
                100 mmap(0x7f0000046000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 4, 0x26000) = 0x7f0000046000
                """);

        assertThat(lines(r)).containsSubsequence(
                "mmap 100 0xb7efe000 0x2000 rw- private",
                "mmap 100 0xb7c0e000 0x9000 r-- shared file=2 pgoff=0",
                "mmap 100 0xb7c1e000 0x1e2000 r-- private file=3 pgoff=0",
                "mmap 100 0xb7c44000 0x156000 r-x private file=3 pgoff=38");
        assertThat(r.summary().mappings()).isEqualTo(4);
        assertThat(r.summary().files()).isEqualTo(3);
    }

    @Test
    @DisplayName("munmap and mprotect follow their mappings; the program's own segments land in the image's data")
    void munmapMprotectAndProgram() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0
                100 mprotect(0x555555556000, 8192, PROT_READ) = 0
                100 munmap(0x7f0000001000, 4096)      = 0
                """);

        assertThat(lines(r)).containsSubsequence("exec 100 text=16 data=2 bss=4 stack=2 file=1",
                "mmap 100 0xb7efe000 0x2000 rw- private", "mprotect 100 0xb7efe000 0x1000 r--",
                "mprotect 100 0x8058000 0x2000 r--", "munmap 100 0xb7eff000 0x1000");
        assertThat(r.summary().implicitMappings()).isZero();
    }

    @Test
    @DisplayName("an mprotect of a range no call mapped (the dynamic loader's) maps it first, and is counted")
    void implicitMapping() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 mprotect(0x7f0000040000, 8192, PROT_READ) = 0
                """);

        assertThat(lines(r)).containsSubsequence("mmap 100 0xb7efe000 0x2000 rw- private file=2 pgoff=0",
                "mprotect 100 0xb7efe000 0x2000 r--");
        assertThat(r.summary().implicitMappings()).isEqualTo(1);
    }

    @Test
    @DisplayName("mremap grows in place by mapping the tail, and moves by mapping the new range and unmapping the old")
    void mremap() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000100000
                100 mremap(0x7f0000100000, 16384, 32768, MREMAP_MAYMOVE) = 0x7f0000100000
                100 mremap(0x7f0000100000, 32768, 65536, MREMAP_MAYMOVE) = 0x7f0000000000
                100 mremap(0x7f0000000000, 65536, 8192, MREMAP_MAYMOVE) = 0x7f0000000000
                """);

        assertThat(lines(r)).containsSubsequence("mmap 100 0xb7ef8000 0x4000 rw- private",
                "mmap 100 0xb7efc000 0x4000 rw- private",
                "mmap 100 0xb7df8000 0x10000 rw- private", "munmap 100 0xb7ef8000 0x8000",
                "munmap 100 0xb7dfa000 0xe000");
        assertThat(r.summary().mappings()).isEqualTo(4);
    }

    @Test
    @DisplayName("brk moves the heap, which follows the image; a forked copy's heap grows with mmap")
    void brk() throws Exception {
        ImportResult r = run(ROOT + """
                100 brk(0x55555557a000)               = 0x55555557a000
                100 fork()                            = 101
                101 brk(0x55555559b000)               = 0x55555559b000
                101 brk(0x55555557a000)               = 0x55555557a000
                100 brk(0x555555559000)               = 0x555555559000
                """);

        assertThat(lines(r)).containsSubsequence(
                String.format("brk 100 0x%x", HEAP + 0x21000),
                "fork 100 101",
                String.format("mmap 101 0x%x 0x21000 rw- private", HEAP + 0x21000),
                String.format("munmap 101 0x%x 0x21000", HEAP + 0x21000),
                String.format("brk 100 0x%x", HEAP));
        assertThat(all(r)).contains(String.format("touch 100 0x%x 0x10000 w", HEAP));
    }

    @Test
    @DisplayName("--oversize clip keeps what fits of a mapping too large and warns with its line")
    void oversizeClip() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 4294967296, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = 0x7e0000000000
                """);

        Op.Mmap mmap = r.ops().stream().filter(o -> o instanceof Op.Mmap).map(o -> (Op.Mmap) o).findFirst().orElseThrow();
        assertThat(mmap.len()).isLessThan(0xC000_0000L).isGreaterThan(0x8000_0000L);
        assertThat(mmap.addr() + mmap.len()).isEqualTo(0xB7F0_0000L);
        assertThat(warnings(r, ImportWarning.Kind.CLIPPED)).singleElement()
                .satisfies(w -> assertThat(w.line()).isEqualTo(3))
                .satisfies(w -> assertThat(w.message()).contains("0x100000000 bytes at 0x7e0000000000", "fit"));
        assertThat(r.summary().clipped()).isEqualTo(1);
    }

    @Test
    @DisplayName("--oversize refuse fails at the first mapping that does not fit, naming its line")
    void oversizeRefuse() {
        assertThatThrownBy(() -> run(ImportOptions.DEFAULTS.withOversize(ImportOptions.Oversize.REFUSE), ROOT + """
                100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 mmap(NULL, 4294967296, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = 0x7e0000000000
                """))
                .isInstanceOfSatisfying(StraceImportException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StraceImportException.Reason.DOES_NOT_FIT);
                    assertThat(e.line()).isEqualTo(4);
                    assertThat(e.getMessage()).contains("line 4", "does not fit", "--oversize clip");
                });
    }

    @Test
    @DisplayName("touches: writable mappings up to the cap, read-only ones sampled, a thread stack at its top")
    void touchPolicy() throws Exception {
        String log = ROOT + """
                100 mmap(NULL, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 mmap(NULL, 1048576, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000200000
                100 mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7f0001000000
                100 mprotect(0x7f0001001000, 8388608, PROT_READ|PROT_WRITE) = 0
                """;
        ImportResult r = run(log);
        long rw = 0xB7F0_0000L - 0x0180_1000L;

        assertThat(all(r)).contains(String.format("touch 100 0x%x 0x10000 w", rw),
                String.format("touch 100 0x%x 0x1000 r", rw + 0x20_0000L), String.format("touch 100 0x%x 0x1000 r", rw + 0x21_0000L),
                "touch 100 0xb7efe000 0x2000 w");
        assertThat(all(r).stream().filter(l -> l.startsWith("touch") && l.endsWith(" r") && !l.contains(" 0x8048000 "))).hasSize(4);

        ImportResult none = run(ImportOptions.DEFAULTS.withTouch(new TouchPolicy(0, 0, 16, 1)), log);
        assertThat(all(none).stream().filter(l -> l.startsWith("touch"))).containsExactly("touch 100 0xb7eff000 0x1000 w");
    }

    @Test
    @DisplayName("-y decorations name files by path; the same library through two descriptors is one file")
    void decoratedDescriptors() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3</usr/lib/libc.so.6>, 0) = 0x7f0000000000
                100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 5</usr/lib/libc.so.6>, 0) = 0x7f0000010000
                100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7f0000020000
                """ + END);

        assertThat(r.ops().stream().filter(o -> o instanceof Op.Mmap).map(o -> ((Op.Mmap) o).fileId())).containsExactly(2, 2, 3);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("-k stack frames are skipped with a warning each; the calls around them are imported")
    void stackFrames() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                 > /usr/lib/x86_64-linux-gnu/libc.so.6(__mmap+0x27) [0xfb3a7]
                 > /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2(_dl_catch_error+0x77c7) [0x1fc47]
                """);

        assertThat(lines(r)).contains("mmap 100 0xb7efe000 0x2000 r-- private");
        assertThat(warnings(r, ImportWarning.Kind.UNRECOGNISED_LINE)).extracting(ImportWarning::line).containsExactly(4, 5);
        assertThat(warnings(r, ImportWarning.Kind.UNRECOGNISED_LINE).get(0).message()).contains("strace -k");
    }

    @Test
    @DisplayName("an unknown system call is ignored with one warning per name, counted; known ones it does not need are silent")
    void unknownSyscall() throws Exception {
        ImportResult r = run(ROOT + """
                100 frobnicate(1, 2)                  = 0
                100 madvise(0x7f0000000000, 4096, MADV_DONTNEED) = 0
                100 frobnicate(3, 4)                  = 0
                """ + END);

        assertThat(warnings(r, ImportWarning.Kind.UNKNOWN_SYSCALL)).singleElement()
                .satisfies(w -> assertThat(w.line()).isEqualTo(3))
                .satisfies(w -> assertThat(w.message()).contains("frobnicate", "2 call(s)"));
        assertThat(r.warnings()).hasSize(1);
        assertThat(r.summary().unknownCalls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a file with no strace line, or an empty one, is refused")
    void notAnStraceLog() {
        assertThatThrownBy(() -> run("pvmm-trace 1\nspawn 1\n"))
                .isInstanceOfSatisfying(StraceImportException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StraceImportException.Reason.MALFORMED);
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("no line of the file is an strace line", "strace -f");
                });
        assertThatThrownBy(() -> run(""))
                .isInstanceOfSatisfying(StraceImportException.class, e -> assertThat(e.problem()).contains("empty"));
    }

    @Test
    @DisplayName("a memory call whose arguments cannot be read is refused with its line and the form accepted")
    void garbledCall() {
        assertThatThrownBy(() -> run(ROOT + """
                100 mmap(NULL, lots, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000000000
                """))
                .isInstanceOfSatisfying(StraceImportException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.accepted()).startsWith("mmap(ADDR|NULL, LEN");
                });
    }
}
