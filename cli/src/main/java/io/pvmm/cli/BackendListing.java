package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.api.SettingSpec;
import io.pvmm.api.SpiVersion;
import io.pvmm.runtime.config.RuntimeKeys;
import io.pvmm.runtime.discovery.BackendRegistry;
import io.pvmm.runtime.discovery.DiscoveredBackend;
import io.pvmm.runtime.error.PvmmException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints the discovered backends: what each is, supports, requires and accepts, and where it came from. */
final class BackendListing {

    private static final String INDENT = "                 ";

    private BackendListing() {
    }

    static void print(BackendRegistry registry, PrintWriter out) {
        int n = registry.backends().size();
        out.println(n + (n == 1 ? " backend" : " backends") + " discovered:");
        for (DiscoveredBackend b : registry.backends()) {
            out.println();
            out.println(b.name() + " - " + b.description());
            row(out, "paging modes", b.pagingModes().stream().map(PagingMode::configName).collect(Collectors.joining(", ")));
            row(out, "platform", b.platform().entrySet().stream()
                    .map(e -> e.getKey().configName() + ": " + e.getValue().describe()).collect(Collectors.joining("; ")));
            row(out, "SPI version", b.spiVersion() + (b.spiCompatible() ? ""
                    : " (incompatible: this runtime's SPI is " + SpiVersion.CURRENT + ")"));
            if (b.settings().isEmpty()) {
                row(out, "settings", "none");
            } else {
                String first = "settings";
                for (SettingSpec s : b.settings()) {
                    row(out, first, RuntimeKeys.propertyName(b.name() + "." + s.key()) + "  " + type(s)
                            + ", default " + s.defaultValue() + "  " + s.description());
                    first = "";
                }
            }
            row(out, "loaded from", b.location());
            row(out, "provider", b.providerClass());
        }
    }

    /**
     * Prints a warning for each bad entry of the backend path (PVMM-E033 to E037): what was skipped, and why.
     *
     * @param registry what discovery found
     * @param err      where warnings go
     */
    static void warnAboutPath(BackendRegistry registry, PrintWriter err) {
        for (PvmmException problem : registry.pathProblems()) {
            err.println("warning: " + problem.getMessage());
        }
        err.flush();
    }

    private static String type(SettingSpec s) {
        return s.type() == SettingSpec.Type.CHOICE ? "one of " + String.join("|", s.choices())
                : s.type().name().toLowerCase(Locale.ROOT);
    }

    static void row(PrintWriter out, String label, String value) {
        out.println("  " + label + INDENT.substring(Math.min(INDENT.length(), label.length() + 2)) + value);
    }
}
