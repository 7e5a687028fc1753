package io.pvmm.tck;

import static io.pvmm.tck.Layouts.ANON;
import static io.pvmm.tck.Layouts.STACK_TOP;
import static io.pvmm.tck.Layouts.TEXT;
import static io.pvmm.tck.Layouts.anon;
import static io.pvmm.tck.Layouts.page;
import static io.pvmm.tck.Layouts.process;
import static io.pvmm.tck.Layouts.read;
import static io.pvmm.tck.Layouts.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.hw.Mmu;
import io.pvmm.guest.kernel.ExecImage;
import io.pvmm.guest.workload.Op;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** exec, fork with copy-on-write, and exit: each translation checked right after the operation. */
abstract class ProcessRules extends KitRules {

    ProcessRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("exec maps the new program: its stack written, its text read-only")
    void execMapsTheNewProgram() {
        for (PagingMode mode : modes()) {
            Scenario.named("exec").op(process(1))
                    .check("the argument pages on the stack are mapped writable for the user", g -> {
                        for (int i = 1; i <= ExecImage.DEFAULT.stackPages(); i++) {
                            Mmu.Translation t = g.translate(1, STACK_TOP - i * Layouts.PAGE);
                            assertThat(t).as("stack page %d", i).isNotNull();
                            assertThat(t.user() && t.writable()).as("stack page %d user and writable", i).isTrue();
                        }
                        assertThat(g.translate(1, TEXT)).as("text before any access").isNull();
                    })
                    .op(read(1, TEXT, 2))
                    .check("a text page read is mapped read-only and executable", g -> {
                        Mmu.Translation t = g.translate(1, TEXT);
                        assertThat(t).isNotNull();
                        assertThat(t.user()).isTrue();
                        assertThat(t.writable()).isFalse();
                        assertThat(t.executable()).isTrue();
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("fork gives the child the parent's pages, write-protected in both for copy-on-write")
    void forkSharesPrivatePagesCopyOnWrite() {
        long[] parentPfns = new long[8];
        for (PagingMode mode : modes()) {
            Scenario.named("fork").op(process(1)).op(anon(1, ANON, 8), write(1, ANON, 8))
                    .check("the parent's written pages are writable and distinct", g -> {
                        Set<Long> seen = new HashSet<>();
                        for (int i = 0; i < 8; i++) {
                            Mmu.Translation t = g.translate(1, page(ANON, i));
                            assertThat(t).as("page %d", i).isNotNull();
                            assertThat(t.writable()).as("page %d writable", i).isTrue();
                            assertThat(seen.add(t.pfn())).as("page %d has its own frame", i).isTrue();
                            parentPfns[i] = t.pfn();
                        }
                    })
                    .op(new Op.Fork(1, 2))
                    .check("the child maps the parent's frames, and neither may write them", g -> {
                        for (int i = 0; i < 8; i++) {
                            Mmu.Translation p = g.translate(1, page(ANON, i));
                            Mmu.Translation c = g.translate(2, page(ANON, i));
                            assertThat(c).as("child page %d", i).isNotNull();
                            assertThat(c.pfn()).as("child page %d frame", i).isEqualTo(parentPfns[i]);
                            assertThat(p.pfn()).as("parent page %d frame", i).isEqualTo(parentPfns[i]);
                            assertThat(p.writable() || c.writable()).as("page %d writable after fork", i).isFalse();
                        }
                    })
                    .op(new Op.Exit(2), new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("a write after fork gives the writer its own copy and leaves the other side as it was")
    void aWriteAfterForkCopiesThePage() {
        for (PagingMode mode : modes()) {
            Scenario.named("copy-on-write").op(process(1)).op(anon(1, ANON, 4), write(1, ANON, 4), new Op.Fork(1, 2))
                    .op(write(2, ANON, 1))
                    .check("the child's written page is a new writable frame; the parent's is unchanged", g -> {
                        Mmu.Translation p = g.translate(1, ANON);
                        Mmu.Translation c = g.translate(2, ANON);
                        assertThat(c.writable()).as("child writable").isTrue();
                        assertThat(c.pfn()).as("child's frame").isNotEqualTo(p.pfn());
                        assertThat(p.writable()).as("parent still write-protected").isFalse();
                        assertThat(g.translate(2, page(ANON, 1)).pfn()).as("child's unwritten page still shared")
                                .isEqualTo(g.translate(1, page(ANON, 1)).pfn());
                    })
                    .op(write(1, page(ANON, 1), 1))
                    .check("the parent's written page is its own now", g -> {
                        assertThat(g.translate(1, page(ANON, 1)).writable()).isTrue();
                        assertThat(g.translate(1, page(ANON, 1)).pfn()).isNotEqualTo(g.translate(2, page(ANON, 1)).pfn());
                    })
                    .op(new Op.Exit(1), new Op.Exit(2), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("exec in a child replaces its address space and leaves the parent's alone")
    void execReplacesTheAddressSpace() {
        for (PagingMode mode : modes()) {
            Scenario.named("exec after fork").op(process(1)).op(anon(1, ANON, 4), write(1, ANON, 4), new Op.Fork(1, 2))
                    .op(new Op.Exec(2, ExecImage.DEFAULT))
                    .check("the child no longer maps the region; the parent still does", g -> {
                        assertThat(g.translate(2, ANON)).as("child's old region").isNull();
                        assertThat(g.translate(2, STACK_TOP - Layouts.PAGE)).as("child's new stack").isNotNull();
                        assertThat(g.root(2)).as("child's root").isNotEqualTo(g.root(1));
                        assertThat(g.translate(1, ANON)).as("parent's region").isNotNull();
                    })
                    .op(new Op.Exit(2), new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("exit tears every address space down and gives every frame back")
    void exitTearsTheAddressSpaceDown() {
        for (PagingMode mode : modes()) {
            Scenario.named("exit").op(process(1)).op(anon(1, ANON, 16), write(1, ANON, 16))
                    .op(new Op.Fork(1, 2), new Op.Fork(1, 3), write(2, ANON, 8), write(3, page(ANON, 8), 8))
                    .op(new Op.Exit(2))
                    .check("the others keep their pages", g -> {
                        assertThat(g.kernel().processes().task(2)).isNull();
                        assertThat(g.translate(3, page(ANON, 8))).isNotNull();
                        assertThat(g.translate(1, ANON)).isNotNull();
                    })
                    .op(new Op.Exit(3), new Op.Exit(1), new Op.Reap())
                    .check("no process is left", g -> assertThat(g.kernel().processes().liveRoots()).isEmpty())
                    .run(backend(), mode);
        }
    }
}
