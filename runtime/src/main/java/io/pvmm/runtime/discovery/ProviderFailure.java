package io.pvmm.runtime.discovery;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.util.Map;
import java.util.Objects;

/**
 * A provider registration that could not be turned into a usable provider: a service file line
 * naming a missing class or a class that is not a {@code BackendProvider}, a constructor that
 * threw, or a provider whose description methods threw or answered badly.
 *
 * @param providerClass the class the registration names, or {@code (unknown)} when the service file
 *                      itself could not be read
 * @param location      where the registration came from: the jar or directory, or the module
 * @param cause         what went wrong
 */
public record ProviderFailure(String providerClass, String location, Throwable cause) {

    /**
     * Checks the record is complete.
     *
     * @param providerClass the class name
     * @param location      where it came from
     * @param cause         what went wrong
     */
    public ProviderFailure {
        Objects.requireNonNull(providerClass, "providerClass");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(cause, "cause");
    }

    /**
     * The failure as the catalogue reports it.
     *
     * @return a {@link PvmmError#PROVIDER_LOAD_FAILED} exception naming the class, the location and
     *         the cause
     */
    public PvmmException toException() {
        return new PvmmException(PvmmError.PROVIDER_LOAD_FAILED, location,
                Map.of("provider", providerClass, "cause", PvmmException.describe(cause)), cause);
    }
}
