package cascade.hw;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compute unit: a 2D PE array (rows × cols), a 1D vector array (width lanes) or a top-k
 * engine (parallel comparators; {@code topk} says how it selects and how long that takes, null for
 * the arrays). {@code under} names the storage level it reads from. Energies are per operation of
 * one PE (a top-k engine's {@code compare} per comparison); latencies in cycles; area is the whole
 * unit's.
 */
public record ComputeArray(String name, Kind kind, String under, int rows, int cols, Set<String> ops,
                           Map<String, Double> energyPj, Map<String, Integer> latencyCycles, double areaUm2,
                           List<Figure> figures, TopKEngine topk) {
    public enum Kind { ARRAY_2D, ARRAY_1D, TOPK }

    /** Processing elements (lanes, comparators) that work in parallel. */
    public int pes() {
        return rows * cols;
    }

    public boolean supports(String op) {
        return ops.contains(op);
    }
}
