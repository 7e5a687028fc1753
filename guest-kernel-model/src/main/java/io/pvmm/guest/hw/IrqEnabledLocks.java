package io.pvmm.guest.hw;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Locks a vCPU waits for with interrupts enabled ({@link Apic#acquire}): a {@code spin_lock} taken
 * without {@code _irq}, and a sleeping lock such as {@code mmap_sem}, during whose wait the CPU runs
 * other work. A vCPU that holds one and waits for a TLB-flush IPI's acknowledgement from a vCPU
 * waiting for the same lock gets it, as in the kernel: the waiter takes the IPI while it waits.
 * Uncontended, each is the plain lock it extends.
 */
public final class IrqEnabledLocks {

    private IrqEnabledLocks() {
    }

    /** A {@link ReentrantLock} whose {@link #lock()} waits with interrupts enabled. */
    public static final class SpinLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;
        private final transient Apic apic;

        /** @param apic the APICs whose IPIs a waiting vCPU takes */
        public SpinLock(Apic apic) {
            this.apic = Objects.requireNonNull(apic, "apic");
        }

        @Override
        public void lock() {
            if (!tryLock()) {
                apic.acquire(nanos -> tryLock(nanos, TimeUnit.NANOSECONDS));
            }
        }
    }

    /** A {@link ReentrantReadWriteLock} whose read and write locks wait with interrupts enabled. */
    public static final class Rwsem extends ReentrantReadWriteLock {
        private static final long serialVersionUID = 1L;
        private final ReadLock read;
        private final WriteLock write;

        /** @param apic the APICs whose IPIs a waiting vCPU takes */
        public Rwsem(Apic apic) {
            Objects.requireNonNull(apic, "apic");
            this.read = new ReadLock(this) {
                private static final long serialVersionUID = 1L;

                @Override
                public void lock() {
                    if (!tryLock()) {
                        apic.acquire(nanos -> tryLock(nanos, TimeUnit.NANOSECONDS));
                    }
                }
            };
            this.write = new WriteLock(this) {
                private static final long serialVersionUID = 1L;

                @Override
                public void lock() {
                    if (!tryLock()) {
                        apic.acquire(nanos -> tryLock(nanos, TimeUnit.NANOSECONDS));
                    }
                }
            };
        }

        @Override
        public ReadLock readLock() {
            return read;
        }

        @Override
        public WriteLock writeLock() {
            return write;
        }
    }
}
