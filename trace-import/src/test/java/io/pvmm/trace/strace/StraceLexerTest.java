package io.pvmm.trace.strace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The strace line lexer")
class StraceLexerTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "4242 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000",
        "[pid  4242] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000",
        "4242 22:20:01.123456 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000",
        "4242 1795558921.990982 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000",
        "[pid 4242] 12:00:00 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000 <0.000012>",
        "4242 [00007f0c7f2b1a37] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0c7f295000"})
    @DisplayName("reads the pid prefix, then skips timestamps (-t, -tt, -ttt), -T times and -i pointers")
    void prefixesAndDecorations(String text) {
        StraceLine line = StraceLexer.lex(3, text);

        assertThat(line.kind()).isEqualTo(StraceLine.Kind.CALL);
        assertThat(line.pid()).isEqualTo(4242);
        assertThat(line.number()).isEqualTo(3);
        assertThat(line.name()).isEqualTo("mmap");
        Syscall call = Syscall.of(3, 3, 4242, line.name(), line.args(), line.result());
        assertThat(call.args()).hasSize(6);
        assertThat(call.value()).isEqualTo(0x7f0c7f295000L);
        assertThat(call.succeeded()).isTrue();
    }

    @Test
    @DisplayName("finds the end of the arguments past quotes, brackets and comments holding ')' and ','")
    void quotedArguments() {
        StraceLine line = StraceLexer.lex(1, "77 execve(\"/bin/sh\", [\"sh\", \"-c\", \"echo a) = 0, b\"], 0x7ffe /* 35 vars */) = 0");
        Syscall call = Syscall.of(1, 1, 77, line.name(), line.args(), line.result());

        assertThat(line.kind()).isEqualTo(StraceLine.Kind.CALL);
        assertThat(call.args()).containsExactly("\"/bin/sh\"", "[\"sh\", \"-c\", \"echo a) = 0, b\"]", "0x7ffe /* 35 vars */");
        assertThat(call.succeeded()).isTrue();
        assertThat(call.value()).isZero();
    }

    @Test
    @DisplayName("reads a failed call's errno, and '?' as no result")
    void failures() {
        Syscall enomem = call("5 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)");
        Syscall exit = call("5 exit_group(0) = ?");

        assertThat(enomem.succeeded()).isFalse();
        assertThat(enomem.errno()).isEqualTo("ENOMEM");
        assertThat(exit.succeeded()).isFalse();
    }

    @Test
    @DisplayName("tells apart unfinished and resumed halves, signals, exits, kills and strace's notes")
    void lineKinds() {
        assertThat(StraceLexer.lex(1, "9 wait4(-1,  <unfinished ...>").kind()).isEqualTo(StraceLine.Kind.UNFINISHED);
        StraceLine resumed = StraceLexer.lex(2, "9 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 10");
        assertThat(resumed.kind()).isEqualTo(StraceLine.Kind.RESUMED);
        assertThat(resumed.name()).isEqualTo("wait4");
        assertThat(resumed.result()).isEqualTo("10");
        assertThat(StraceLexer.lex(3, "9 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=10} ---").kind())
                .isEqualTo(StraceLine.Kind.SIGNAL);
        assertThat(StraceLexer.lex(4, "10 +++ exited with 3 +++").kind()).isEqualTo(StraceLine.Kind.EXITED);
        assertThat(StraceLexer.lex(5, "11 +++ killed by SIGSEGV (core dumped) +++").kind()).isEqualTo(StraceLine.Kind.KILLED);
        assertThat(StraceLexer.lex(6, "strace: Process 12 attached").kind()).isEqualTo(StraceLine.Kind.NOTE);
        assertThat(StraceLexer.lex(7, "").kind()).isEqualTo(StraceLine.Kind.NOTE);
    }

    @Test
    @DisplayName("names what it does not know: a -k stack frame, a cut line, another tool's output")
    void unrecognised() {
        StraceLine frame = StraceLexer.lex(1, " > /usr/lib/x86_64-linux-gnu/libc.so.6(__mmap+0x27) [0xfb3a7]");
        StraceLine cut = StraceLexer.lex(2, "9 mmap(NULL, 8192, PROT_READ");
        StraceLine table = StraceLexer.lex(3, "% time     seconds  usecs/call     calls    errors syscall");

        assertThat(frame.kind()).isEqualTo(StraceLine.Kind.UNRECOGNISED);
        assertThat(frame.name()).contains("strace -k");
        assertThat(cut.kind()).isEqualTo(StraceLine.Kind.UNRECOGNISED);
        assertThat(table.kind()).isEqualTo(StraceLine.Kind.UNRECOGNISED);
    }

    @Test
    @DisplayName("reads a -y decorated descriptor as its number and its path")
    void decoratedDescriptor() {
        Syscall call = call("5 mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/libc.so.6>, 0) = 0x7f0000000000");

        assertThat(call.number(4)).isEqualTo(3);
        assertThat(call.decoration(4)).isEqualTo("/usr/lib/libc.so.6");
    }

    private static Syscall call(String text) {
        StraceLine line = StraceLexer.lex(1, text);
        return Syscall.of(1, 1, line.pid(), line.name(), line.args(), line.result());
    }
}
