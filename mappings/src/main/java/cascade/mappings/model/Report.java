package cascade.mappings.model;

import cascade.mappings.lowering.Schedule;

import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.Figure;
import cascade.hw.StorageLevel;
import cascade.mappings.lowering.Schedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link CostModel} says of a {@link Schedule}, in one schema for the closed form and the
 * simulator: cycles and seconds, DRAM bytes, words moved per level, utilisation by unit and by
 * kind of unit, the action counts, and the energy they cost ({@link EnergyAccountant}: every
 * picojoule is a count times a table entry with its source). What only one model knows is in
 * its {@link Detail}: the closed form's per-stage cycle terms and per-Einsum costs, the
 * simulator's per-unit busy and stall cycles and task counts.
 */
public record Report(String design, Map<String, Long> sizes, long heads, long cycles, double seconds, long dramBytes,
                     Map<String, Double> utilization, Map<ComputeArray.Kind, Double> utilizationByKind,
                     Map<String, Long> wordsByLevel, ActionCounts actions, EnergyAccountant.Priced energy,
                     Figure clock, Detail detail, int wordBits) {

    /**
     * A model's report from what it alone decides — the cycles, each unit's utilisation, what it
     * did (action counts) and its detail; the rest follows: seconds from the clock, words per level
     * and DRAM bytes from the counts, energy from the counts priced by the {@link EnergyAccountant}.
     */
    /** The tensor column of static energy, which belongs to no tensor. */
    public static final String STATIC = "(static)";

    public static Report of(Schedule s, long cycles, Map<String, Double> utilization, ActionCounts actions,
                            Detail detail) {
        Architecture arch = s.design().architecture();
        Map<String, Long> words = new LinkedHashMap<>();
        arch.storage().forEach(l -> words.put(l.name(), 0L));
        actions.counts().forEach((a, n) -> {
            if (words.containsKey(a.component()) && !a.action().equals(ActionCounts.LEAK)) {
                words.merge(a.component(), n, Long::sum);
            }
        });
        // Static energy over the whole run: one count a cycle, priced for all of a level's instances or an array's PEs.
        ActionCounts.Builder all = new ActionCounts.Builder().addAll(actions);
        for (StorageLevel l : arch.storage()) {
            if (l.leakPjPerCycle() > 0) {
                all.add(l.name(), ActionCounts.LEAK, STATIC, cycles);
            }
        }
        for (ComputeArray u : arch.compute()) {
            if (u.leakPjPerCycle() > 0) {
                all.add(u.name(), ActionCounts.LEAK, STATIC, cycles);
            }
        }
        actions = all.build();
        Figure clock = arch.figures().stream().filter(f -> f.name().equals("clock")).findFirst().orElse(null);
        return new Report(s.design().name(), s.sizes(), s.heads(), cycles, cycles * arch.secondsPerCycle(),
            words.get(arch.storage().getFirst().name()) * arch.wordBits() / 8, utilization, byKind(arch, utilization),
            words, actions, new EnergyAccountant(arch).price(actions), clock, detail, arch.wordBits());
    }

    /**
     * Parts run one after another on one architecture: a workload whose heads differ in shape
     * (SpAtten's release traces: each head keeps its own number of keys and values) costed as one
     * schedule per shape. Cycles, action counts (and so energy, re-priced), words, heads and each
     * model's detail add up; utilisation is the parts' weighted by their cycles; the sizes are
     * each rank's largest over the parts. The parts do not overlap: a part's first head waits for
     * the previous part's last.
     */
    public static Report sequence(Architecture arch, List<Report> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no parts to run in sequence");
        }
        long cycles = 0;
        long heads = 0;
        double seconds = 0;
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, Long> words = new LinkedHashMap<>();
        Map<String, Double> weighted = new LinkedHashMap<>();
        ActionCounts.Builder actions = new ActionCounts.Builder();
        for (Report r : parts) {
            cycles = Math.addExact(cycles, r.cycles());
            heads = Math.addExact(heads, r.heads());
            seconds += r.seconds();
            r.sizes().forEach((k, v) -> sizes.merge(k, v, Math::max));
            r.wordsByLevel().forEach((k, v) -> words.merge(k, v, Math::addExact));
            r.utilization().forEach((k, u) -> weighted.merge(k, u * r.cycles(), Double::sum));
            actions.addAll(r.actions());
        }
        long total = cycles;
        Map<String, Double> utilization = new LinkedHashMap<>();
        weighted.forEach((k, w) -> utilization.put(k, total == 0 ? 0 : w / total));
        ActionCounts counts = actions.build();
        Report first = parts.getFirst();
        long dramWords = words.get(arch.storage().getFirst().name());
        return new Report(first.design(), sizes, heads, cycles, seconds, dramWords * arch.wordBits() / 8, utilization,
            byKind(arch, utilization), words, counts, new EnergyAccountant(arch).price(counts), first.clock(),
            sequence(parts.stream().map(Report::detail).toList()), arch.wordBits());
    }

    private static Detail sequence(List<Detail> details) {
        if (details.stream().allMatch(d -> d instanceof SimulationDetail)) {
            Map<String, UnitStats> units = new LinkedHashMap<>();
            Map<String, Long> runs = new LinkedHashMap<>();
            long simulated = 0;
            long skipped = 0;
            double operations = 0;
            for (Detail d : details) {
                SimulationDetail s = (SimulationDetail) d;
                s.units().forEach((k, u) -> units.merge(k, u, (a, b) -> new UnitStats(a.busy() + b.busy(),
                    a.stalledOnInput() + b.stalledOnInput(), a.stalledOnOutput() + b.stalledOnOutput(), a.idle() + b.idle())));
                s.runsByEinsum().forEach((k, n) -> runs.merge(k, n, Long::sum));
                simulated += s.simulatedTasks();
                skipped += s.skippedTasks();
                operations += s.operations();
            }
            return new SimulationDetail(units, runs, simulated, skipped, operations);
        }
        if (details.stream().allMatch(d -> d instanceof ClosedFormDetail)) {
            List<StageCycles> stages = new java.util.ArrayList<>();
            Map<String, EinsumCost> einsums = new LinkedHashMap<>();
            Map<Integer, Boolean> onChip = new LinkedHashMap<>();
            for (Detail d : details) {
                ClosedFormDetail c = (ClosedFormDetail) d;
                stages.addAll(c.stages());
                c.einsums().forEach(e -> einsums.merge(e.output(), e, (a, b) -> new EinsumCost(a.output(), a.unit(),
                    a.cycles() + b.cycles(), a.energyPj() + b.energyPj(), a.dramWords() + b.dramWords(),
                    a.points() + b.points())));
                c.groupsOnChip().forEach((g, on) -> onChip.merge(g, on, Boolean::logicalAnd));
            }
            return new ClosedFormDetail(List.copyOf(stages), List.copyOf(einsums.values()), onChip);
        }
        throw new IllegalArgumentException("parts of one sequence come from one cost model");
    }

    public double energyPj() {
        return energy.totalPj();
    }

    /** DRAM bytes read and written per tensor (they add up to {@link #dramBytes()}, to within a byte per tensor where a word is not whole bytes). */
    public Map<String, Long> dramBytesByTensor() {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        String dram = wordsByLevel.keySet().iterator().next(); // levels outermost first
        Map<String, Long> wordsOf = new java.util.TreeMap<>();
        actions.counts().forEach((a, n) -> {
            if (a.component().equals(dram) && !a.action().equals(ActionCounts.LEAK)) {
                wordsOf.merge(a.tensor(), n, Long::sum);
            }
        });
        // A word need not be whole bytes (SpAtten's is 12 bits).
        wordsOf.forEach((t, n) -> bytes.put(t, Math.multiplyExact(n, (long) wordBits) / 8));
        return bytes;
    }

    /** Static energy: what the run's components leak over its cycles. */
    public double leakagePj() {
        return energy.lines().stream().filter(l -> l.action().action().equals(ActionCounts.LEAK))
            .mapToDouble(EnergyAccountant.Line::pj).sum();
    }

    public Map<String, Double> energyByComponentPj() {
        return energy.byComponentPj();
    }

    public Map<String, Double> energyByTensorPj() {
        return energy.byTensorPj();
    }

    /** Utilisation of the units of one kind (0 where the architecture has none). */
    public double utilization(ComputeArray.Kind kind) {
        return utilizationByKind.getOrDefault(kind, 0.0);
    }

    /** What one model alone knows. */
    public sealed interface Detail permits ClosedFormDetail, SimulationDetail {
    }

    /**
     * The closed form's terms: each stage's cycles (the longest unit's work, or the sum, against
     * its DRAM time) and each Einsum's cost over all runs.
     */
    public record ClosedFormDetail(List<StageCycles> stages, List<EinsumCost> einsums, Map<Integer, Boolean> groupsOnChip)
        implements Detail {
    }

    /**
     * One stage's cycles: {@code unitCycles} of work per unit, {@code dramWords} at the DRAM's
     * bandwidth ({@code dramBandwidth}) taking {@code dramCycles}; {@code cycles} is the larger of
     * the work (the busiest unit when pipelined, else the sum) plus the {@code tileWaits} of
     * {@code cyclesPerTileWait} each (a tile's inputs loading while the units wait: where the
     * next tile's cannot load early), and the DRAM time.
     */
    public record StageCycles(int group, boolean pipelined, List<WorkCycles> works, Map<String, Long> unitCycles,
                              long workCycles, long tileWaits, long cyclesPerTileWait, long dramWords,
                              Figure dramBandwidth, double dramWordsPerCycle, long dramCycles, long cycles) {
    }

    /**
     * An Einsum's runs in a stage, a dense run's cycles on its unit, and all its runs' cycles (fewer
     * where a policy skips points). {@code inPassOf}: the chain members on the same unit whose pass
     * it computes in, so that its cycles per run are only what their pass lacks.
     */
    public record WorkCycles(String einsum, String unit, long runs, long cyclesPerRun, long cycles, List<String> inPassOf) {
    }

    /** Per Einsum, over all runs and heads. */
    public record EinsumCost(String output, String unit, long cycles, double energyPj, long dramWords, long points) {
    }

    /** The simulator's account: per unit busy and stalled cycles, runs per Einsum, tasks placed and skipped. */
    public record SimulationDetail(Map<String, UnitStats> units, Map<String, Long> runsByEinsum, long simulatedTasks,
                                   long skippedTasks, double operations) implements Detail {
    }

    public record UnitStats(long busy, long stalledOnInput, long stalledOnOutput, long idle) {
    }

    /**
     * Utilisation by kind of unit: a kind's only unit's figure, or the mean of its units weighted
     * by their processing elements. Reports name units by role, never by name, so an architecture
     * whose arrays are called anything reports the same.
     */
    public static Map<ComputeArray.Kind, Double> byKind(Architecture arch, Map<String, Double> utilization) {
        Map<ComputeArray.Kind, Double> out = new LinkedHashMap<>();
        for (ComputeArray.Kind kind : ComputeArray.Kind.values()) {
            List<ComputeArray> units = arch.compute().stream().filter(u -> u.kind() == kind).toList();
            if (units.size() == 1) {
                out.put(kind, utilization.getOrDefault(units.getFirst().name(), 0.0));
            } else if (!units.isEmpty()) {
                double pes = units.stream().mapToDouble(ComputeArray::pes).sum();
                out.put(kind, units.stream().mapToDouble(u -> utilization.getOrDefault(u.name(), 0.0) * u.pes()).sum() / pes);
            }
        }
        return out;
    }
}
