package cascade.hw;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run did, as Timeloop and Accelergy count it: how many times each component performed
 * each action, per tensor. Every model (closed form, simulator) produces one; energy is these
 * counts priced by one {@link EnergyAccountant}, never computed beside them. A component is a
 * storage level or a compute unit of the architecture; a level's actions are {@code read} and
 * {@code write} (words; {@code readBits} and {@code writeBits} where traffic is narrower than a
 * word), a unit's are its operators ({@code mac}, {@code exp}, …: one per point
 * of the Einsum for each operator it needs), whose tensor is the Einsum's output.
 */
public record ActionCounts(Map<Action, Long> counts) {
    public ActionCounts {
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    public record Action(String component, String action, String tensor) {
        @Override
        public String toString() {
            return component + "." + action + "(" + tensor + ")";
        }
    }

    public static final String READ = "read";
    public static final String WRITE = "write";
    /** Static energy: one count a cycle, for all of a level's instances or an array's PEs together. */
    public static final String LEAK = "leak";
    /** Reads and writes counted in bits, for traffic narrower than a word (SpAtten's 6-bit halves of 12-bit words). */
    public static final String READ_BITS = "readBits";
    public static final String WRITE_BITS = "writeBits";

    /** Collects counts in the order they are first seen; not thread-safe. */
    public static final class Builder {
        private final Map<Action, Long> counts = new LinkedHashMap<>();

        /** Adds to an action's count; a zero count still names the action, so its component reports 0 pJ. */
        public Builder add(String component, String action, String tensor, long count) {
            counts.merge(new Action(component, action, tensor), count, Math::addExact);
            return this;
        }

        /** Adds every count of {@code other}, in its order. */
        public Builder addAll(ActionCounts other) {
            other.counts().forEach((a, n) -> counts.merge(a, n, Math::addExact));
            return this;
        }

        public ActionCounts build() {
            return new ActionCounts(counts);
        }
    }
}
