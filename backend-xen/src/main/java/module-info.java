/**
 * The Xen backend: the hypervisor's half of Xen 3.1's paravirtual MMU (typed frames, validated
 * updates, pin and unpin) and the guest's half, the first paravirt_ops port's use of the SPI
 * (read-only page tables, late pin and early unpin, multicall batching in lazy MMU mode).
 */
module io.pvmm.backend.xen {
    requires transitive io.pvmm.api;
    requires static com.google.auto.service;

    exports io.pvmm.backend.xen;

    provides io.pvmm.api.BackendProvider with io.pvmm.backend.xen.XenProvider;
}
