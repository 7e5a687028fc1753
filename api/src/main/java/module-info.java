/**
 * The pvmm service-provider interface: what a hypervisor backend implements and what the guest
 * kernel model calls. Depends on the JDK alone.
 *
 * <p>A backend module {@code provides io.pvmm.api.BackendProvider with ...} (and ships the same
 * provider in {@code META-INF/services/io.pvmm.api.BackendProvider} for the class path); the
 * runtime {@code uses} it.
 */
module io.pvmm.api {
    exports io.pvmm.api;

    uses io.pvmm.api.BackendProvider;
}
