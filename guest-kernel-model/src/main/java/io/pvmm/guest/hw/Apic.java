package io.pvmm.guest.hw;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The local APICs' inter-processor interrupts: one vCPU posts a vector to another
 * ({@code send_IPI_mask}), the target takes it on its own thread, at a point where it has interrupts
 * enabled, and runs the handler its kernel installed for that vector ({@code set_intr_gate}). Each
 * vCPU's pending vectors are its interrupt request register: a vector posted twice before it is taken
 * is taken once, as an IRR bit is.
 *
 * <p>Where a vCPU takes interrupts: whenever the kernel calls {@link #service()} (its interrupt-enabled
 * points: between two system calls, at a system call's entry), and all the time it waits in
 * {@link #spinUntil} or {@link #acquire} (an {@link IrqEnabledLocks} lock) — a {@code spin_lock} or a {@code cpu_relax()} loop, which
 * run with interrupts enabled, and a sleeping lock, during which the CPU runs other work. So two vCPUs
 * that wait for each other's IPI both take it, and neither waits for ever.
 *
 * <p>A vCPU is online while the thread that last ran as it is alive ({@link #online}). With one vCPU
 * no IPI is ever sent and every wait is a plain one.
 *
 * <p><b>Threading:</b> {@link #sendIpi} from any vCPU; {@link #service()} by a vCPU on itself; the
 * handlers run on their target's thread, never nested (an interrupt gate clears IF).
 */
public final class Apic {

    /** {@code INVALIDATE_TLB_VECTOR} ({@code include/asm-i386/mach-default/irq_vectors.h}, 2.6.21). */
    public static final int INVALIDATE_TLB_VECTOR = 0xfd;
    /** {@code CALL_FUNCTION_VECTOR} ({@code irq_vectors.h}, 2.6.21). */
    public static final int CALL_FUNCTION_VECTOR = 0xfb;

    /** The lowest vector this model delivers: the system vectors are 0xe0..0xff. */
    private static final int FIRST_VECTOR = 0xe0;
    /** How long a waiting vCPU parks before it looks again for an interrupt or for what it waits on. */
    private static final long SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** The longest a waiting vCPU parks between two looks: what it waits for is normally signalled ({@link #kick}). */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Busy turns before a waiting vCPU parks: a short wait (an ack a few hundred cycles away) spins. */
    private static final int SPINS = 64;

    /** The APICs the calling thread last took interrupts from as one of their vCPUs. */
    private static final ThreadLocal<Apic> TAKEN_BY = new ThreadLocal<>();

    private final int cpus;
    private final IntSupplier currentCpu;
    private final AtomicIntegerArray pending;
    private final AtomicReferenceArray<Thread> owner;
    private final Runnable[] gates = new Runnable[32];
    private final boolean[] inInterrupt;
    private final AtomicLongArray sent;
    private final AtomicLongArray received;

    /**
     * Creates the APICs, nothing pending, no vector installed.
     *
     * @param cpus       how many vCPUs
     * @param currentCpu answers the calling vCPU ({@code smp_processor_id()})
     */
    public Apic(int cpus, IntSupplier currentCpu) {
        this.cpus = cpus;
        this.currentCpu = Objects.requireNonNull(currentCpu, "currentCpu");
        this.pending = new AtomicIntegerArray(cpus);
        this.owner = new AtomicReferenceArray<>(cpus);
        this.inInterrupt = new boolean[cpus];
        this.sent = new AtomicLongArray(cpus);
        this.received = new AtomicLongArray(cpus);
        if (cpus > 0) {
            owner.set(0, Thread.currentThread()); // the boot processor is the thread that builds the machine
            TAKEN_BY.set(this);
        }
    }

    /** @return how many vCPUs */
    public int count() {
        return cpus;
    }

    /**
     * {@code set_intr_gate(vector, handler)}: what a vCPU runs when it takes the vector.
     *
     * @param vector  0xe0..0xff
     * @param handler the kernel's handler, run on the target vCPU's thread
     */
    public void setIntrGate(int vector, Runnable handler) {
        gates[slot(vector)] = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Posts a vector to one vCPU, from the calling one: one IPI sent, counted for the sender.
     *
     * @param cpu    the target (not the caller)
     * @param vector the vector, whose gate is installed
     */
    public void sendIpi(int cpu, int vector) {
        int bit = 1 << slot(vector);
        sent.incrementAndGet(self());
        pending.getAndUpdate(cpu, p -> p | bit);
        kick(cpu);
    }

    /**
     * Wakes a vCPU that is waiting ({@link #spinUntil}, {@link #acquire}), so it looks at once for an
     * interrupt or for what it waits on.
     *
     * @param cpu the vCPU
     */
    public void kick(int cpu) {
        Thread t = owner.get(cpu);
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Wakes every waiting vCPU ({@link #kick}). */
    public void kickAll() {
        for (int c = 0; c < cpus; c++) {
            kick(c);
        }
    }

    /**
     * Whether a vCPU runs ({@code cpu_online}): the thread that last ran as it is alive. The boot thread
     * is vCPU 0 until a vCPU thread takes over.
     *
     * @param cpu the vCPU
     * @return whether it can take an IPI
     */
    public boolean online(int cpu) {
        Thread t = owner.get(cpu);
        return t != null && t.isAlive();
    }

    /**
     * An interrupt-enabled point of the calling vCPU: it becomes the thread that is that vCPU, and takes
     * every vector pending for it, highest first, each once. Does nothing inside a handler.
     */
    public void service() {
        int c = self();
        Thread me = Thread.currentThread();
        if (owner.get(c) != me) {
            owner.set(c, me);
            TAKEN_BY.set(this);
        }
        if (cpus == 1 || inInterrupt[c]) {
            return;
        }
        int p;
        while ((p = pending.getAndSet(c, 0)) != 0) {
            inInterrupt[c] = true;
            try {
                for (int s = 31; s >= 0; s--) {
                    if ((p & (1 << s)) != 0) {
                        received.incrementAndGet(c);
                        gates[s].run();
                    }
                }
            } finally {
                inInterrupt[c] = false;
            }
        }
    }

    /**
     * A {@code cpu_relax()} loop with interrupts enabled: the calling vCPU takes its IPIs until
     * {@code done} holds, or gives up after {@code timeoutNanos}.
     *
     * @param done         what it waits for
     * @param timeoutNanos how long at most
     * @return whether {@code done} held; false if the wait timed out
     */
    public boolean spinUntil(BooleanSupplier done, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        long park = SLICE_NANOS;
        for (int turn = 0; ; turn++) {
            service();
            if (done.getAsBoolean()) {
                return true;
            }
            if (turn < SPINS) {
                Thread.onSpinWait();
            } else if (System.nanoTime() - deadline > 0) {
                return false;
            } else {
                LockSupport.parkNanos(this, park); // a post, an ack or a kick unparks it at once
                park = Math.min(MAX_PARK_NANOS, park * 2);
            }
        }
    }

    /**
     * The calling thread waits for something outside the kernel (a test's barrier, say) as a vCPU in
     * user mode or idle does: taking its interrupts, from the APICs it last took them from as a vCPU.
     * A thread that never ran as a vCPU just waits.
     *
     * @param done         what it waits for
     * @param timeoutNanos how long at most
     * @return whether {@code done} held; false if the wait timed out
     */
    public static boolean idleUntil(BooleanSupplier done, long timeoutNanos) {
        Apic apic = TAKEN_BY.get();
        if (apic != null) {
            return apic.spinUntil(done, timeoutNanos);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(MAX_PARK_NANOS);
        }
        return true;
    }

    /** One timed attempt at a lock, as {@link java.util.concurrent.locks.Lock#tryLock(long, TimeUnit)}. */
    @FunctionalInterface
    public interface TimedAttempt {
        /**
         * @param nanos how long the attempt may wait
         * @return whether the lock was taken
         * @throws InterruptedException if the thread was interrupted
         */
        boolean tryFor(long nanos) throws InterruptedException;
    }

    /**
     * Waits for a lock that was not free, as a vCPU does with interrupts enabled: in slices, between
     * which it takes its IPIs. An interrupt of the thread is kept for the caller, as
     * {@link java.util.concurrent.locks.Lock#lock()} keeps it.
     *
     * @param attempt one timed attempt at the lock
     */
    public void acquire(TimedAttempt attempt) {
        boolean interrupted = false;
        while (true) {
            service();
            try {
                if (attempt.tryFor(SLICE_NANOS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The IPIs each vCPU sent and took, under the names {@code ipis-sent} and {@code ipis-received}.
     *
     * @return one map per vCPU, by vCPU
     */
    public List<Map<String, Long>> counters() {
        List<Map<String, Long>> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("ipis-sent", sent.get(c));
            m.put("ipis-received", received.get(c));
            out.add(m);
        }
        return out;
    }

    private int self() {
        int c = currentCpu.getAsInt();
        return c < cpus ? c : 0;
    }

    private static int slot(int vector) {
        if (vector < FIRST_VECTOR || vector > 0xff) {
            throw new IllegalArgumentException(String.format("vector 0x%x is no system vector (0xe0..0xff)", vector));
        }
        return vector - FIRST_VECTOR;
    }
}
