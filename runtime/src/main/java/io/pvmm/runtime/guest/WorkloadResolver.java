package io.pvmm.runtime.guest;

import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.TraceFormatException;
import io.pvmm.guest.workload.TraceWorkload;
import io.pvmm.guest.workload.Workload;
import io.pvmm.guest.workload.WorkloadSettings;
import io.pvmm.runtime.config.ConfigValue;
import io.pvmm.runtime.config.Configuration;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns {@code workload.name} into a workload: a built-in by name, else a trace file by path
 * (relative to the working directory).
 */
public final class WorkloadResolver {

    private WorkloadResolver() {
    }

    /**
     * Resolves the configured workload.
     *
     * @param config           the configuration
     * @param workingDirectory where relative trace paths start
     * @return the workload
     * @throws PvmmException {@link PvmmError#UNKNOWN_WORKLOAD}, {@link PvmmError#TRACE_UNREADABLE} or
     *                       {@link PvmmError#MALFORMED_TRACE}
     */
    public static Workload resolve(Configuration config, Path workingDirectory) {
        ConfigValue name = config.get(WorkloadSettings.NAMESPACE + ".name");
        return resolve(name.value(), name.source().description(), GuestRuntime.workloadSettings(config), workingDirectory);
    }

    /**
     * Resolves a workload name.
     *
     * @param name             a built-in name or a trace file's path
     * @param source           where the name came from, for messages
     * @param settings         the built-ins' sizes
     * @param workingDirectory where relative trace paths start
     * @return the workload
     * @throws PvmmException {@link PvmmError#UNKNOWN_WORKLOAD}, {@link PvmmError#TRACE_UNREADABLE} or
     *                       {@link PvmmError#MALFORMED_TRACE}
     */
    public static Workload resolve(String name, String source, WorkloadSettings settings, Path workingDirectory) {
        Map<String, Workload> builtIns = BuiltInWorkloads.all(settings);
        Workload builtIn = builtIns.get(name);
        if (builtIn != null) {
            return builtIn;
        }
        Path path = workingDirectory.resolve(name);
        boolean looksLikePath = !name.isBlank() && (name.contains("/") || name.contains(".") || Files.exists(path));
        if (!looksLikePath) {
            String suggestion = DidYouMean.sentence(name, builtIns.keySet());
            throw new PvmmException(PvmmError.UNKNOWN_WORKLOAD, source, Map.of("name", name,
                    "available", String.join(", ", builtIns.keySet()) + ", or the path of a trace file", "suggestion", suggestion));
        }
        try {
            return TraceWorkload.read(path);
        } catch (TraceFormatException e) {
            throw new PvmmException(PvmmError.MALFORMED_TRACE, source, Map.of("path", path.toAbsolutePath(), "line", e.line(),
                    "expected", e.expected(), "found", e.found()), e);
        } catch (IOException e) {
            throw new PvmmException(PvmmError.TRACE_UNREADABLE, source, Map.of("path", path.toAbsolutePath(),
                    "cause", e.toString()), e);
        }
    }
}
