/** The native backend: bare hardware, no hypervisor. */
module io.pvmm.backend.nativeops {
    requires io.pvmm.api;
    requires static com.google.auto.service;

    provides io.pvmm.api.BackendProvider with io.pvmm.backend.nativeops.NativeProvider;
}
