/**
 * The pvmm SPI.
 *
 * <p>A backend implements {@link io.pvmm.api.ParavirtOps} — the memory-management hooks and
 * page-table writes of Linux i386 {@code paravirt_ops} — and registers a
 * {@link io.pvmm.api.BackendProvider} with {@link java.util.ServiceLoader}. The runtime creates it
 * with a {@link io.pvmm.api.BackendContext} that gives it the guest's memory and layout, and the
 * guest kernel model calls it as the kernel would. A backend refuses what its rules forbid with a
 * {@link io.pvmm.api.ParavirtViolation}, and reports its state through counters and
 * {@link io.pvmm.api.ParavirtOps#audit()}.
 *
 * <p>The SPI depends on the JDK alone and evolves by adding default methods; see
 * {@link io.pvmm.api.SpiVersion}.
 */
package io.pvmm.api;
