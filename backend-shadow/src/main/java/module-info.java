/** The shadow backend: full virtualization without hooks, page tables found from CR3 and write-protected. */
module io.pvmm.backend.shadow {
    requires io.pvmm.api;
    requires static com.google.auto.service;

    provides io.pvmm.api.BackendProvider with io.pvmm.backend.shadow.ShadowProvider;
}
