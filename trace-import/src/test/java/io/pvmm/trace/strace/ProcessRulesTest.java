package io.pvmm.trace.strace;

import static io.pvmm.trace.strace.Imports.END;
import static io.pvmm.trace.strace.Imports.ROOT;
import static io.pvmm.trace.strace.Imports.lines;
import static io.pvmm.trace.strace.Imports.run;
import static io.pvmm.trace.strace.Imports.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Importing strace: tasks")
class ProcessRulesTest {

    @Test
    @DisplayName("the traced root process comes first: spawn, then exec")
    void rootFirst() throws Exception {
        ImportResult r = run(ROOT);

        assertThat(lines(r)).startsWith("spawn 100", "exec 100");
        assertThat(lines(r).get(lines(r).size() - 1)).isEqualTo("exit 100");
        assertThat(r.summary().processes()).isEqualTo(1);
        assertThat(r.summary().execs()).isEqualTo(1);
    }

    @Test
    @DisplayName("fork, vfork and clone without CLONE_THREAD make processes; CLONE_VM|CLONE_THREAD makes a thread")
    void processesAndThreads() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0) = 101
                100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f1, exit_signal=0, stack=0x7f2, stack_size=0x7fff80} => {parent_tid=[102]}, 88) = 102
                100 vfork()                           = 103
                100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f3, stack_size=0x9000}, 88) = 104
                100 fork()                            = 105
                """);

        assertThat(lines(r)).containsSubsequence("fork 100 101", "clone 100 102", "fork 100 103", "fork 100 104", "fork 100 105");
        assertThat(r.summary().processes()).isEqualTo(5);
        assertThat(r.summary().threads()).isEqualTo(1);
    }

    @Test
    @DisplayName("interleaved unfinished calls take effect where they resume, each for its own task")
    void unfinishedAndResumed() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone(child_stack=NULL, flags=SIGCHLD) = 101
                101 execve("/usr/bin/b", ["b"], 0x1 /* 1 var */) = 0
                101 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000010000
                100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                101 munmap(0x7f0000010000, 4096 <unfinished ...>
                100 <... mmap resumed>)               = 0x7f0000000000
                101 <... munmap resumed>)             = 0
                101 +++ exited with 0 +++
                """ + END);

        assertThat(lines(r)).containsSubsequence("exec 101 text=16 data=4 bss=4 stack=2 file=2",
                "mmap 101 0xb7eff000 0x1000 rw- private", "mmap 100 0xb7efe000 0x2000 rw- private", "munmap 101 0xb7eff000 0x1000");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("a task's lines that come before its creator's clone returns wait for it")
    void taskBeforeItsCreation() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f3, stack_size=0x9000}, 88 <unfinished ...>
                101 execve("/usr/bin/cc", ["cc"], 0x5 /* 3 vars */ <unfinished ...>
                101 <... execve resumed>)             = 0
                101 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f2000000000
                101 +++ exited with 0 +++
                100 <... clone3 resumed>)             = 101
                100 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=101, si_uid=0, si_status=0} ---
                """ + END);

        assertThat(lines(r)).containsSubsequence("spawn 100", "exec 100", "fork 100 101", "exec 101 text=16 data=4 bss=4 stack=2 file=2",
                "mmap 101 0xb7eff000 0x1000 r-- private", "exit 101", "exit 100");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("failed calls change nothing, and are counted")
    void failedCalls() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 1099511627776, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)
                100 munmap(0x7f0000000001, 4096)        = -1 EINVAL (Invalid argument)
                100 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)
                """ + END);

        assertThat(lines(r)).containsExactly("spawn 100", "exec 100", "exit 100");
        assertThat(r.summary().failedCalls()).isEqualTo(3);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("only a successful execve replaces the address space")
    void execveFailure() throws Exception {
        ImportResult r = run(ROOT + """
                100 vfork()                           = 101
                101 execve("/root/bin/as", ["as"], 0x1 /* 1 var */) = -1 ENOENT (No such file or directory)
                101 execve("/usr/local/bin/as", ["as"], 0x1 /* 1 var */) = -1 ENOENT (No such file or directory)
                101 execve("/usr/bin/as", ["as"], 0x1 /* 1 var */) = 0
                """);

        assertThat(lines(r).stream().filter(l -> l.startsWith("exec 101"))).hasSize(1);
        assertThat(r.summary().execs()).isEqualTo(2);
        assertThat(r.summary().failedCalls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a task killed by a signal exits; signals delivered change nothing")
    void killed() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone(child_stack=NULL, flags=SIGCHLD) = 101
                100 kill(101, SIGKILL)                = 0
                101 +++ killed by SIGKILL +++
                100 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=101, si_status=SIGKILL} ---
                100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 exit_group(0)                     = ?
                100 +++ exited with 0 +++
                """);

        assertThat(lines(r)).containsSubsequence("fork 100 101", "exit 101", "mmap 100 0xb7eff000 0x1000 r-- private", "exit 100");
        assertThat(lines(r).stream().filter(l -> l.startsWith("exit "))).hasSize(2);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("exit_group ends every thread of the group; their +++ lines after it change nothing")
    void exitGroup() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone3({flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0}, 88) = 102
                100 clone3({flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0}, 88) = 103
                103 exit(0)                           = ?
                103 +++ exited with 0 +++
                100 exit_group(0)                     = ?
                102 +++ exited with 0 +++
                100 +++ exited with 0 +++
                """);

        assertThat(lines(r)).containsExactly("spawn 100", "exec 100", "clone 100 102", "clone 100 103", "exit 103", "exit 102", "exit 100");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("execve in a threaded process ends its other threads first")
    void execEndsOtherThreads() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone3({flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND, exit_signal=0}, 88) = 102
                100 execve("/usr/bin/other", ["other"], 0x1 /* 1 var */) = 0
                """);

        assertThat(lines(r)).containsSubsequence("clone 100 102", "exit 102", "exec 100 text=16 data=4 bss=4 stack=2 file=2");
    }

    @Test
    @DisplayName("lines of a task nothing creates are skipped with a warning naming the first line")
    void unknownTask() throws Exception {
        ImportResult r = run(ROOT + """
                100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                555 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1000000000
                555 +++ exited with 0 +++
                """);

        assertThat(lines(r)).noneMatch(l -> l.contains(" 555"));
        assertThat(warnings(r, ImportWarning.Kind.UNKNOWN_TASK)).singleElement()
                .satisfies(w -> assertThat(w.line()).isEqualTo(4))
                .satisfies(w -> assertThat(w.message()).contains("task 555", "2 line(s)"));
    }

    @Test
    @DisplayName("a memory call before any execve is skipped with a warning: the task has no address space")
    void memoryBeforeExec() throws Exception {
        ImportResult r = run("""
                100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                100 execve("/usr/bin/prog", ["prog"], 0x7ffe0 /* 3 vars */) = 0
                """);

        assertThat(lines(r)).containsExactly("spawn 100", "exec 100", "exit 100");
        assertThat(warnings(r, ImportWarning.Kind.NO_ADDRESS_SPACE)).singleElement()
                .satisfies(w -> assertThat(w.line()).isEqualTo(1));
    }

    @Test
    @DisplayName("a cut log: the unfinished call and the tasks still alive are warned about, and the tasks exit")
    void truncated() throws Exception {
        ImportResult r = run(ROOT + """
                100 clone(child_stack=NULL, flags=SIGCHLD) = 101
                101 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                100 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NUL""");

        assertThat(warnings(r, ImportWarning.Kind.UNFINISHED_CALL)).singleElement().satisfies(w -> assertThat(w.line()).isEqualTo(4));
        assertThat(warnings(r, ImportWarning.Kind.UNRECOGNISED_LINE)).singleElement().satisfies(w -> assertThat(w.line()).isEqualTo(5));
        assertThat(warnings(r, ImportWarning.Kind.TRUNCATED)).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("101", "100"));
        assertThat(lines(r)).endsWith("exit 101", "exit 100");
    }

    @Test
    @DisplayName("strace's standard-error form: [pid N] prefixes, unprefixed lines of the only live task, timestamps")
    void standardErrorForm() throws Exception {
        ImportResult r = run("""
                1795558921.990982 execve("/usr/bin/sh", ["sh", "-c", "true &"], 0x7ffd /* 35 vars */) = 0
                1795558921.991457 brk(NULL)             = 0x562a44d38000
                1795558921.993442 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 25704
                [pid 25704] 1795558921.993500 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                [pid 25704] 1795558921.993849 +++ exited with 0 +++
                1795558921.993891 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=25704} ---
                1795558921.994119 exit_group(0)         = ?
                1795558921.994256 +++ exited with 0 +++
                """);

        assertThat(lines(r)).containsExactly("spawn 1", "exec 1", "fork 1 25704", "mmap 25704 0xb7eff000 0x1000 r-- private",
                "exit 25704", "exit 1");
        assertThat(r.warnings()).isEmpty();
    }
}
