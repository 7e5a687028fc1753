/**
 * Guest bugs the model commits on purpose, so tests can prove which backend catches which bug: the
 * catalogue ({@link io.pvmm.guest.bugs.GuestBug}, chosen with {@code guest.bug=NAME}). Off by default.
 */
package io.pvmm.guest.bugs;
