/** The VMI backend: VMware's Virtual Machine Interface, with shadow page tables kept by the hypervisor. */
module io.pvmm.backend.vmi {
    requires io.pvmm.api;
    requires static com.google.auto.service;

    provides io.pvmm.api.BackendProvider with io.pvmm.backend.vmi.VmiProvider;
}
