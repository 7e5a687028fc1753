package io.pvmm.runtime.error;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the candidate closest to a mistyped name, by Levenshtein distance, for the "Did you mean"
 * part of a message.
 */
public final class DidYouMean {

    private DidYouMean() {
    }

    /**
     * The candidate closest to {@code input}, if one is close enough to be a likely typo: at most 2
     * edits, or a third of the input's length for long names, and fewer edits than the input has
     * characters. Case is ignored; ties go to the candidate listed first.
     *
     * @param input      what was given
     * @param candidates what is accepted
     * @return the closest candidate, or empty if none is close
     */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        String in = input.toLowerCase(Locale.ROOT);
        int limit = Math.min(Math.max(2, in.length() / 3), in.length() - 1);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(in, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance > 0 && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /**
     * The sentence a message appends: {@code " Did you mean 'xen'?"}, with a leading space, or
     * nothing.
     *
     * @param input      what was given
     * @param candidates what is accepted
     * @return the sentence, or the empty string when no candidate is close
     */
    public static String sentence(String input, Collection<String> candidates) {
        return closest(input, candidates).map(c -> " Did you mean '" + c + "'?").orElse("");
    }

    /**
     * The Levenshtein distance: the fewest insertions, deletions and substitutions that turn one
     * string into the other.
     *
     * @param a a string
     * @param b another string
     * @return the distance, 0 when equal
     */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
