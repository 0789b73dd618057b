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
                           Map<String, Double> energyPj, Map<String, Integer> latencyCycles,
                           Map<String, Integer> issueCycles, double areaUm2, List<Figure> figures, TopKEngine topk,
                           double leakPjPerCycle) {
    public enum Kind { ARRAY_2D, ARRAY_1D, TOPK }

    /** An array whose PEs do not leak (static power not modelled). */
    public ComputeArray(String name, Kind kind, String under, int rows, int cols, Set<String> ops,
                        Map<String, Double> energyPj, Map<String, Integer> latencyCycles,
                        Map<String, Integer> issueCycles, double areaUm2, List<Figure> figures, TopKEngine topk) {
        this(name, kind, under, rows, cols, ops, energyPj, latencyCycles, issueCycles, areaUm2, figures, topk, 0);
    }

    /** Processing elements (lanes, comparators) that work in parallel. */
    public int pes() {
        return rows * cols;
    }

    public boolean supports(String op) {
        return ops.contains(op);
    }

    /**
     * Cycles a PE is busy with one point that needs {@code needed}: the slowest operation's issue
     * interval (1 for a pipelined unit; an exp made of 6 MACs and an add on the MAC takes 7).
     */
    public int issueCycles(Set<String> needed) {
        int most = 1;
        for (String op : needed) {
            most = Math.max(most, issueCycles.getOrDefault(op, 1));
        }
        return most;
    }

    /** This array with {@code op} issued every {@code cycles} cycles (a pipelined unit: 1). */
    public ComputeArray withIssue(String op, int cycles) {
        if (!ops.contains(op)) {
            return this;
        }
        Map<String, Integer> issue = new java.util.LinkedHashMap<>(issueCycles);
        issue.put(op, cycles);
        return new ComputeArray(name, kind, under, rows, cols, ops, energyPj, latencyCycles,
            java.util.Collections.unmodifiableMap(issue), areaUm2, figures, topk, leakPjPerCycle);
    }
}
