package io.pvmm.cli;

import io.pvmm.api.PagingMode;
import io.pvmm.api.SettingSpec;
import io.pvmm.runtime.Selection;
import io.pvmm.runtime.config.ConfigFile;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.config.RuntimeKeys;
import java.io.PrintWriter;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints which backend the configuration selects and why: the deciding source, what it shadowed, the mode and settings. */
final class SelectionReport {

    private SelectionReport() {
    }

    static void print(Selection selection, Configuration config, PrintWriter out) {
        out.println();
        out.println("Selected by the current configuration:");
        BackendListing.row(out, "backend", selection.decision().describe() + " -> " + selection.location());
        BackendListing.row(out, "shadowed", selection.shadowed().isEmpty() ? "nothing"
                : selection.shadowed().stream().map(ConfigValue::describe).collect(Collectors.joining(", ")));
        String supported = selection.backend().pagingModes().stream().map(PagingMode::configName).collect(Collectors.joining(", "));
        BackendListing.row(out, "paging mode", selection.modeDecision().describe() + "; " + selection.name()
                + " supports it (supports: " + supported + ")");
        BackendListing.row(out, "platform", selection.backend().platform().get(selection.mode()).describe());
        Map<String, ConfigValue> given = config.namespace(selection.name());
        if (selection.backend().settings().isEmpty()) {
            BackendListing.row(out, "settings", "none");
        }
        String label = "settings";
        for (SettingSpec s : selection.backend().settings()) {
            ConfigValue v = given.get(s.key());
            String source = v == null ? "default" : v.source().description();
            BackendListing.row(out, label, RuntimeKeys.propertyName(selection.name() + "." + s.key()) + " = "
                    + selection.settings().get(s.key()) + " (from " + source + ")");
            label = "";
        }
        ConfigFile file = config.file();
        BackendListing.row(out, "config file", file.path() + (file.present() ? " (read; named by " + file.namedBy() + ")"
                : " (not present; optional)"));
    }
}
