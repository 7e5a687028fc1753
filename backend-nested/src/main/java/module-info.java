/** The nested backend: hardware-assisted nested paging (Intel EPT, AMD NPT), a host table behind the guest's. */
module io.pvmm.backend.nested {
    requires io.pvmm.api;
    requires static com.google.auto.service;

    provides io.pvmm.api.BackendProvider with io.pvmm.backend.nested.NestedProvider;
}
