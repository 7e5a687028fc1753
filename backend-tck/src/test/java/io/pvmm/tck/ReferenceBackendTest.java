package io.pvmm.tck;

import io.pvmm.api.BackendProvider;
import java.util.List;

/** The kit passes on its own reference backend: bare hardware is compatible by definition. */
class ReferenceBackendTest extends ParavirtOpsCompatibilityKit {

    /** Where a test of the kit's reporting collects the skips; printed as usual when null. */
    static volatile List<String> skips;

    @Override
    protected BackendProvider provider() {
        return new ReferenceProvider();
    }

    @Override
    protected void reportSkipped(String test, String reason) {
        List<String> to = skips;
        if (to == null) {
            super.reportSkipped(test, reason);
        } else {
            to.add(test + ": " + reason);
        }
    }
}
