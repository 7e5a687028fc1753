package io.pvmm.cli;

import io.pvmm.api.BackendProvider;
import io.pvmm.api.PagingMode;
import io.pvmm.guest.bugs.GuestBug;
import io.pvmm.guest.workload.BuiltInWorkloads;
import io.pvmm.guest.workload.WorkloadSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The values shell completion offers for options ({@code completionCandidates}), taken from the code
 * they name, so the completion script (the distribution's {@code completion/pvmm.bash}) lists what the
 * command accepts.
 */
final class Completions {

    private Completions() {
    }

    /** The paging modes of {@code --mode}. */
    static final class Modes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(PagingMode.values()).map(PagingMode::configName).iterator();
        }
    }

    /** The paging modes of compare's {@code --mode}, and {@code both}. */
    static final class CompareModes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> modes = new ArrayList<>();
            new Modes().forEach(modes::add);
            modes.add("both");
            return modes.iterator();
        }
    }

    /** The built-in workloads of {@code --workload} (a trace file's path is typed). */
    static final class Workloads implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BuiltInWorkloads.all(WorkloadSettings.DEFAULTS).keySet().iterator();
        }
    }

    /** The built-in backends of {@code --backend}: the providers of pvmm's own backend modules on the class path. */
    static final class Backends implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            TreeSet<String> names = new TreeSet<>();
            for (ServiceLoader.Provider<BackendProvider> p : ServiceLoader.load(BackendProvider.class).stream().toList()) {
                if (p.type().getName().startsWith("io.pvmm.backend.")) { // a third party's come and go with its jar
                    names.add(p.get().name());
                }
            }
            return names.iterator();
        }
    }

    /** The guest bugs of {@code --bugs}, and {@code all}. */
    static final class Bugs implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> bugs = new ArrayList<>(Arrays.stream(GuestBug.values()).map(GuestBug::settingName).toList());
            bugs.add("all");
            return bugs.iterator();
        }
    }
}
