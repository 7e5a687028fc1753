package io.pvmm.tck;

import io.pvmm.api.BackendProvider;

/** The kit passes on its own reference backend: bare hardware is compatible by definition. */
class ReferenceBackendTest extends ParavirtOpsCompatibilityKit {

    @Override
    protected BackendProvider provider() {
        return new ReferenceProvider();
    }
}
