/** The checking backend: native stores, plus the ordering rules of the page allocation hooks. */
module org.example.pvmm.checking {
    requires io.pvmm.api;

    provides io.pvmm.api.BackendProvider with org.example.pvmm.checking.CheckingProvider;
}
