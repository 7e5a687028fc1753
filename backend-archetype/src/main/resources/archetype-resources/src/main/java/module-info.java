/** The pvmm backend '${backend}'. */
module ${package} {
    requires io.pvmm.api;

    provides io.pvmm.api.BackendProvider with ${package}.${classPrefix}Provider;
}
