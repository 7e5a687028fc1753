package io.pvmm.api;

import java.net.URL;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The service a backend module registers with {@link java.util.ServiceLoader}: names the backend,
 * says what it supports and requires, and creates it — the pvmm counterpart of JDBC's
 * {@code Driver} and Trino's {@code ConnectorFactory}.
 *
 * <pre>{@code
 * @AutoService(BackendProvider.class)
 * public final class TracingProvider implements BackendProvider {
 *     public String name() { return "tracing"; }
 *     public String description() { return "records every hook, then does what native does"; }
 *     public String spiVersion() { return SpiVersion.CURRENT; }
 *     public Set<PagingMode> pagingModes() { return EnumSet.allOf(PagingMode.class); }
 *     public ParavirtOps create(BackendContext context) { return new TracingOps(context); }
 * }
 * }</pre>
 *
 * <p><b>Registration:</b> on the class path, a line naming the class in
 * {@code META-INF/services/io.pvmm.api.BackendProvider} (AutoService writes it); on the module path,
 * {@code provides io.pvmm.api.BackendProvider with ...} in {@code module-info.java}. Ship both.
 *
 * <p><b>Construction:</b> a public no-argument constructor that does no work: the runtime
 * instantiates every provider it finds in order to list them, and builds only the chosen backend.
 * Do the work in {@link #create}.
 *
 * <p><b>Threading:</b> every method but {@link #create} may be called from any thread, any number
 * of times, and must return the same answer each time.
 */
public interface BackendProvider {

    /**
     * The backend's stable name, used in configuration ({@code --backend}, {@code pvmm.backend},
     * {@code PVMM_BACKEND}) and as the prefix of its settings ({@code pvmm.<name>.<key>}): lower-case
     * letters, digits and dashes, starting with a letter. Two providers with the same name are an
     * error.
     *
     * @return the name, e.g. {@code native}, {@code vmi}, {@code xen}
     */
    String name();

    /**
     * One line that says what the backend models, for {@code pvmm backends}.
     *
     * @return the description
     */
    String description();

    /**
     * The SPI version the provider was compiled against. Return {@link SpiVersion#CURRENT} from your
     * own code: javac copies the constant into your class, so the value records the version you
     * built with. The runtime refuses a provider whose major version differs from its own, or whose
     * minor version is newer.
     *
     * @return a version of the form {@code major.minor}
     */
    String spiVersion();

    /**
     * The paging modes the backend supports. The runtime refuses to create the backend for any other
     * mode, with an error that lists these.
     *
     * @return a non-empty set of modes
     */
    Set<PagingMode> pagingModes();

    /**
     * What the backend requires of the guest in a paging mode: whether PSE large pages and PGE
     * global pages may be used, whether each PAE root must own its kernel pmd, and how much of the
     * top of the virtual address space the hypervisor keeps for itself. The guest boots accordingly;
     * a requirement overrides the user's guest settings.
     *
     * @param mode one of {@link #pagingModes()}
     * @return the requirements; {@link PlatformRequirements#NONE} by default
     */
    default PlatformRequirements platform(PagingMode mode) {
        return PlatformRequirements.NONE;
    }

    /**
     * The settings the backend accepts, configured as {@code pvmm.<name>.<key>}. The runtime rejects
     * a key not in this list (with a "did you mean") and a value that does not fit its type, before
     * {@link #create} is called; the backend reads the values through
     * {@link BackendContext#settings()}.
     *
     * @return the accepted settings; none by default
     */
    default List<SettingSpec> settings() {
        return List.of();
    }

    /**
     * Creates the backend for one guest. Called once per guest, before the guest boots, on the thread
     * that builds the guest. The context's memory is empty at this point and the layout is final.
     *
     * @param context the guest's memory, layout, vCPUs and the backend's settings
     * @return a new backend; never shared between guests
     * @throws RuntimeException if the backend cannot be created; the runtime reports it with the
     *                          provider's name and the cause
     */
    ParavirtOps create(BackendContext context);

    /**
     * This backend's costs on the hardware of a named cost profile, for the cost model that prices
     * its {@link ParavirtOps#costEvents()}: a resource the backend ships, one line per event it
     * reports,
     *
     * <pre>
     * # cost profile "xeon-2003": the backend's events at 2.4 GHz
     * hypercall        1080   lmbench null call, Barham et al., SOSP 2003, Table 3
     * validated-entry    40   assumed: no published figure; stated, not fitted
     * </pre>
     *
     * an event's {@link CostEvent#id()}, its cycles at the profile's clock, and where the figure comes
     * from (a citation, or {@code assumed:} and why). The guest's own work and the profile's clock come
     * with the profile, not from the backend. The runtime reads the resource when a cost is asked
     * for, and refuses an unknown event with an error that names the line.
     *
     * <p><b>Contract:</b> return a profile only for hardware the backend can run on and whose costs
     * you can cite; a backend without one is shown as having "no cost model", never a made-up cost.
     * Cheap and side-effect free; may be called before {@link #create} and more than once.
     *
     * <p>Typically {@code Optional.ofNullable(getClass().getResource("cost/" + profile + ".profile"))}.
     *
     * @param profile a profile's name, such as {@code xeon-2003} or {@code p4-2006}
     * @return the resource, or empty when this backend has no costs for that hardware (the default)
     * @since 1.1
     */
    default Optional<URL> costProfile(String profile) {
        return Optional.empty();
    }
}
