package cascade.mappings.model;

import java.util.List;
import java.util.Map;

/**
 * What a cost model says of a mapped cascade, in the schema the simulator's reports will share:
 * cycles, seconds, accesses per storage level and tensor, energy per component and tensor, and
 * utilisation. Every energy figure is an access or operation count times a table entry.
 */
public record Estimate(long cycles, double seconds, double energyPj, long dramWords, List<EinsumEstimate> einsums,
                       Map<String, Double> energyByComponentPj) {

    /** Reads and writes of one tensor at one storage level, in words. */
    public record Accesses(String level, String tensor, long reads, long writes) {
    }

    public record EinsumEstimate(String output, String unit, long points, long computeCycles,
                                 Map<String, Long> bandwidthCycles, long cycles, double utilization,
                                 List<Accesses> accesses, Map<String, Double> energyPj) {
        /**
         * Cycles the whole unit is busy per run: its compute cycles times the share of its PEs the
         * mapping uses (an operation issued over several cycles, an unpipelined exp, is busy for all).
         */
        public double busyCycles() {
            return computeCycles * utilization;
        }

        /** Energy of every component together. */
        public double totalEnergyPj() {
            return energyPj.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** Words read and written at one storage level, over all tensors. */
        public long wordsAt(String level) {
            return accesses.stream().filter(a -> a.level().equals(level)).mapToLong(a -> a.reads() + a.writes()).sum();
        }
    }
}
