package io.pvmm.runtime.cost;

import io.pvmm.api.CostEvent;
import io.pvmm.guest.cost.GuestEvent;
import io.pvmm.runtime.error.DidYouMean;
import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One file of a named cost profile, as a person reads and edits it: one event a line, its cycles at
 * the profile's clock and where the figure comes from.
 *
 * <pre>
 * # cost profile "xeon-2003": the guest's own work
 * clock 2.4 the Xen paper's Dell 2650, 2.4 GHz Xeon (Barham et al., SOSP 2003, section 4)
 * guest.syscall     1080   lmbench null call on L-UP, 0.45 us at 2.4 GHz (SOSP 2003, Table 3)
 * </pre>
 *
 * The guest's file (shipped with the model) holds the {@code clock} line and {@code guest.<event>}
 * lines ({@link GuestEvent}); a backend's file (shipped by the backend, {@code BackendProvider.costProfile})
 * holds lines for its {@link CostEvent}s, without a prefix. Anything else is a coded error naming the line.
 *
 * @param profile  the profile's name
 * @param resource where the file was read from
 * @param clockGhz the clock the cycles assume, in GHz; 0 in a backend's file
 * @param clock    what the clock line says of the hardware; empty in a backend's file
 * @param costs    the costs by key ({@code guest.page-fault}, {@code hypercall}), in file order
 */
public record CostProfile(String profile, String resource, double clockGhz, String clock, Map<String, Cost> costs) {

    /**
     * One cost.
     *
     * @param key      the event's key
     * @param cycles   cycles at the profile's clock
     * @param citation where the figure comes from
     * @param line     its line in the file (0 for an override)
     */
    public record Cost(String key, long cycles, String citation, int line) {
    }

    /**
     * Copies the costs.
     *
     * @param profile see the record
     * @param resource see the record
     * @param clockGhz see the record
     * @param clock see the record
     * @param costs see the record
     */
    public CostProfile {
        costs = Collections.unmodifiableMap(new LinkedHashMap<>(costs));
    }

    /** @return the accepted keys of the guest's file */
    static List<String> guestKeys() {
        return Arrays.stream(GuestEvent.values()).map(e -> "guest." + e.id()).toList();
    }

    /** @return the accepted keys of a backend's file */
    static List<String> backendKeys() {
        return Arrays.stream(CostEvent.values()).map(CostEvent::id).toList();
    }

    /**
     * Reads a profile file.
     *
     * @param profile the profile's name
     * @param url     the file
     * @param guest   whether it is the guest's file (else a backend's)
     * @return the file's costs
     * @throws PvmmException PVMM-E070 for an unknown event, PVMM-E071 for a line it cannot read
     */
    public static CostProfile read(String profile, URL url, boolean guest) {
        try (InputStream in = url.openStream()) {
            return parse(profile, url.toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8), guest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cost profile " + url, e);
        }
    }

    /**
     * Parses a profile's text.
     *
     * @param profile  the profile's name
     * @param resource where the text came from, for messages
     * @param text     the text
     * @param guest    whether it is the guest's file
     * @return the costs
     * @throws PvmmException PVMM-E070 for an unknown event, PVMM-E071 for a line it cannot read
     */
    public static CostProfile parse(String profile, String resource, String text, boolean guest) {
        List<String> accepted = guest ? guestKeys() : backendKeys();
        Map<String, Cost> costs = new LinkedHashMap<>();
        double ghz = 0;
        String clock = "";
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int n = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts[0].equals("clock") && guest) {
                if (parts.length < 3 || !parts[1].matches("[0-9]+(\\.[0-9]+)?")) {
                    throw malformed(profile, resource, n, "'" + line + "' is not 'clock GHZ DESCRIPTION'");
                }
                ghz = Double.parseDouble(parts[1]);
                clock = parts[2];
                continue;
            }
            if (!accepted.contains(parts[0])) {
                throw new PvmmException(PvmmError.COST_PROFILE_UNKNOWN_EVENT, null, Map.of("profile", profile, "resource", resource,
                        "line", n, "event", parts[0], "accepted", String.join(", ", accepted),
                        "suggestion", DidYouMean.closest(parts[0], accepted).map(s -> " Did you mean '" + s + "'?").orElse("")));
            }
            if (parts.length < 2 || !parts[1].matches("[0-9]+")) {
                throw malformed(profile, resource, n, "'" + line + "' has no whole number of cycles after the event");
            }
            if (parts.length < 3 || parts[2].isBlank()) {
                throw malformed(profile, resource, n, "'" + line + "' has no citation");
            }
            if (costs.containsKey(parts[0])) {
                throw malformed(profile, resource, n, parts[0] + " is priced twice (first on line " + costs.get(parts[0]).line() + ")");
            }
            costs.put(parts[0], new Cost(parts[0], Long.parseLong(parts[1]), parts[2].strip(), n));
        }
        if (guest && ghz <= 0) {
            throw malformed(profile, resource, lines.length, "the guest's profile has no clock line");
        }
        return new CostProfile(profile, resource, ghz, clock, costs);
    }

    private static PvmmException malformed(String profile, String resource, int line, String problem) {
        return new PvmmException(PvmmError.COST_PROFILE_MALFORMED, null, Map.of("profile", profile, "resource", resource,
                "line", line, "problem", problem,
                "accepted", "EVENT CYCLES CITATION; clock GHZ DESCRIPTION (the guest's file); # comments and blank lines"));
    }

    /**
     * A cost.
     *
     * @param key a key
     * @return its cost, or empty
     */
    public Optional<Cost> cost(String key) {
        return Optional.ofNullable(costs.get(key));
    }

    /** @return the costs, one line each, as the file would hold them */
    public String describe() {
        return costs.values().stream().map(c -> c.key() + " " + c.cycles() + " " + c.citation())
                .collect(Collectors.joining(System.lineSeparator()));
    }

    static Stream<String> allKeys() {
        return Stream.concat(guestKeys().stream(), backendKeys().stream());
    }
}
