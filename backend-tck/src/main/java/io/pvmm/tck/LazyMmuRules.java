package io.pvmm.tck;

import static io.pvmm.tck.Layouts.ANON;
import static io.pvmm.tck.Layouts.anon;
import static io.pvmm.tck.Layouts.page;
import static io.pvmm.tck.Layouts.process;
import static io.pvmm.tck.Layouts.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.PagingMode;
import io.pvmm.guest.mm.Vma;
import io.pvmm.guest.observe.CountingOps;
import io.pvmm.guest.observe.Hook;
import io.pvmm.guest.workload.Op;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lazy MMU mode: the guest enters it around fork's copy, a zap and mprotect's change, and a backend
 * may queue the writes it receives meanwhile — but every one has taken effect when the guest leaves.
 * Each check runs right after the operation, and first makes sure the operation did use lazy mode.
 */
abstract class LazyMmuRules extends KitRules {

    LazyMmuRules(Supplier<BackendUnderTest> backend) {
        super(backend);
    }

    @Test
    @DisplayName("writes batched during fork's copy have taken effect when fork returns")
    void forksBatchedWritesTakeEffectByLeave() {
        for (PagingMode mode : modes()) {
            long[] sections = new long[1];
            Scenario.named("fork in lazy mode").op(process(1)).op(anon(1, ANON, 32), write(1, ANON, 32))
                    .check("count lazy sections", g -> sections[0] = lazySections(g))
                    .op(new Op.Fork(1, 2))
                    .check("fork used lazy mode, and the child maps every page", g -> {
                        assertThat(lazySections(g)).as("lazy sections during fork").isGreaterThan(sections[0]);
                        for (int i = 0; i < 32; i++) {
                            assertThat(g.translate(2, page(ANON, i))).as("child page %d", i).isNotNull();
                            assertThat(g.translate(1, page(ANON, i)).writable()).as("parent page %d write-protected", i).isFalse();
                        }
                    })
                    .op(new Op.Exit(2), new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("writes batched during a zap have taken effect when munmap returns")
    void zapsBatchedWritesTakeEffectByLeave() {
        for (PagingMode mode : modes()) {
            long[] sections = new long[1];
            Scenario.named("zap in lazy mode").op(process(1)).op(anon(1, ANON, 32), write(1, ANON, 32))
                    .check("count lazy sections", g -> sections[0] = lazySections(g))
                    .op(new Op.Munmap(1, page(ANON, 8), 16 * Layouts.PAGE))
                    .check("the zap used lazy mode, and the zapped pages are gone", g -> {
                        assertThat(lazySections(g)).as("lazy sections during munmap").isGreaterThan(sections[0]);
                        for (int i = 0; i < 32; i++) {
                            boolean zapped = i >= 8 && i < 24;
                            assertThat(g.translate(1, page(ANON, i)) == null).as("page %d unmapped", i).isEqualTo(zapped);
                        }
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    @Test
    @DisplayName("writes batched during mprotect have taken effect when mprotect returns")
    void mprotectsBatchedWritesTakeEffectByLeave() {
        for (PagingMode mode : modes()) {
            long[] sections = new long[1];
            Scenario.named("mprotect in lazy mode").op(process(1)).op(anon(1, ANON, 32), write(1, ANON, 32))
                    .check("count lazy sections", g -> sections[0] = lazySections(g))
                    .op(new Op.Mprotect(1, ANON, 32 * Layouts.PAGE, Vma.READ))
                    .check("mprotect used lazy mode, and no page is writable", g -> {
                        assertThat(lazySections(g)).as("lazy sections during mprotect").isGreaterThan(sections[0]);
                        for (int i = 0; i < 32; i++) {
                            assertThat(g.translate(1, page(ANON, i)).writable()).as("page %d writable", i).isFalse();
                        }
                    })
                    .op(new Op.Exit(1), new Op.Reap())
                    .run(backend(), mode);
        }
    }

    /** Lazy sections entered so far, after checking each entered one was left. */
    private static long lazySections(GuestView g) {
        CountingOps counting = (CountingOps) g.kernel().ops();
        long entered = counting.count(Hook.enterLazyMmu);
        assertThat(counting.count(Hook.leaveLazyMmu)).as("lazy sections left").isEqualTo(entered);
        return entered;
    }
}
