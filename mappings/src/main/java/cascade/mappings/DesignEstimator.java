package cascade.mappings;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Partition;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a {@link Design} onto a workload ({@link #schedule}) and estimates it in closed form
 * ({@link #estimate}). Heads (and batch) run one after another. A group runs once per tile of its
 * tile ranks, in blocks, one step of the recurrence rank at a time (see {@link Schedule}); each
 * Einsum is costed at the size of one run, with the mapper's best loop nest (local search, seeded,
 * for cycles). Where a group's tensors live: {@code keep} says, else its intermediates stay at its
 * on-chip level; if what it keeps does not fit, everything but the streams spills to DRAM.
 *
 * <p>The closed form: a pipelined stage takes the longest of its units' summed work and its DRAM
 * transfer time (units overlap completely); an unpipelined one the sum of its work, or its DRAM
 * time if longer. Pipeline fill and drain, and the waits a dependency forces, are the simulator's.
 */
public final class DesignEstimator {
    /** Per Einsum, over all runs and heads. */
    public record EinsumCost(String output, String unit, long cycles, double energyPj, long dramWords, long points) {
    }

    public record Result(String design, Map<String, Long> sizes, long heads, long cycles, double seconds, double energyPj,
                         long dramBytes, Map<String, Double> utilization, Map<String, Double> energyByComponentPj,
                         List<EinsumCost> einsums, Map<Integer, Boolean> groupsOnChip) {
    }

    private final long starts;
    private final long steps;

    public DesignEstimator(long starts, long steps) {
        this.starts = starts;
        this.steps = steps;
    }

    public Result estimate(Design d, Map<String, Long> bindings, long heads) {
        return estimate(schedule(d, bindings, heads));
    }

    public static Result estimate(Schedule s) {
        Architecture arch = s.design().architecture();
        StorageLevel dram = arch.storage().getFirst();
        List<EinsumCost> costs = new ArrayList<>();
        Map<String, Double> energy = new LinkedHashMap<>();
        Map<Integer, Boolean> onChip = new LinkedHashMap<>();
        long cycles = 0;
        long dramWords = 0;
        for (Schedule.Stage st : s.stages()) {
            if (st.group() >= 0) {
                onChip.put(st.group(), st.onChip());
            }
            Map<String, Long> perUnit = new LinkedHashMap<>();
            long sum = 0;
            long stageDram = st.loadWordsPerHead() * s.heads();
            for (Schedule.Work w : st.works()) {
                long runs = st.runsPerHead(w.phase()) * s.heads();
                Estimate.EinsumEstimate each = w.each();
                each.energyPj().forEach((k, v) -> energy.merge(k, v * runs, Double::sum));
                long words = each.wordsAt(dram.name()) * runs;
                costs.add(new EinsumCost(w.einsum(), w.unit(), each.cycles() * runs, each.totalEnergyPj() * runs, words,
                    each.points() * runs));
                perUnit.merge(w.unit(), each.cycles() * runs, Long::sum);
                sum += each.cycles() * runs;
                stageDram += words;
            }
            for (Schedule.Load l : st.loads()) {
                long words = l.wordsPerTile() * st.tilesPerHead() * s.heads();
                energy.merge(dram.name(), words * dram.readPjPerWord(), Double::sum);
                energy.merge(l.level(), words * arch.storage(l.level()).writePjPerWord(), Double::sum);
            }
            long dramCycles = (long) Math.ceil(stageDram / dram.bandwidthWordsPerCycle());
            long work = st.pipelined() ? perUnit.values().stream().mapToLong(Long::longValue).max().orElse(0) : sum;
            cycles += Math.max(work, dramCycles);
            dramWords += stageDram;
        }
        Map<String, Double> utilization = new LinkedHashMap<>();
        for (ComputeArray u : arch.compute()) {
            double busy = costs.stream().filter(x -> x.unit().equals(u.name())).mapToDouble(x -> (double) x.points() / u.pes()).sum();
            utilization.put(u.name(), cycles == 0 ? 0 : busy / cycles);
        }
        double total = energy.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Result(s.design().name(), s.sizes(), s.heads(), cycles, cycles * arch.secondsPerCycle(), total,
            dramWords * arch.wordBits() / 8, utilization, energy, List.copyOf(costs), onChip);
    }

    /** The design lowered onto these sizes: every stage, its run counts and each Einsum's cost per run. */
    public Schedule schedule(Design d, Map<String, Long> bindings, long heads) {
        Cascade c = d.cascade();
        Map<String, Long> sizes = c.sizes(bindings);
        List<Schedule.Stage> stages = new ArrayList<>();
        Set<String> grouped = new LinkedHashSet<>();
        for (int gi = 0; gi < d.groups().size(); gi++) {
            stages.add(lowerGroup(d, gi, bindings, sizes));
            grouped.addAll(d.groups().get(gi).einsums());
        }
        for (Einsum e : c.einsums()) {
            if (!grouped.contains(e.output())) {
                Schedule.Work w = new Schedule.Work(e.output(), d.units().get(e.output()), Schedule.Phase.BEFORE,
                    best(d, e.output(), sizes, Map.of()), List.of(), List.of(), List.of());
                stages.add(new Schedule.Stage(-1, false, 1, false, Map.of(), Map.of(), 1, 1, 1, List.of(w), List.of()));
            }
        }
        return new Schedule(d, sizes, heads, List.copyOf(stages));
    }

    private Schedule.Stage lowerGroup(Design d, int gi, Map<String, Long> bindings, Map<String, Long> sizes) {
        Design.Group g = d.groups().get(gi);
        Cascade c = d.cascade();
        Architecture arch = d.architecture();
        StepPlan plan = StepPlan.of(c);
        Map<String, Long> tileBindings = new LinkedHashMap<>(bindings);
        long tiles = split(g.tile(), sizes, tileBindings);
        Map<String, Long> tileSizes = c.sizes(tileBindings);
        Map<String, Long> blockBindings = new LinkedHashMap<>(tileBindings);
        long blocks = split(g.block(), tileSizes, blockBindings);
        Map<String, Long> blockSizes = c.sizes(blockBindings);
        Set<String> stepped = new LinkedHashSet<>();
        plan.stepped().forEach(e -> stepped.add(e.output()));
        stepped.retainAll(g.einsums());
        Map<String, Long> stepSizes = blockSizes;
        long steps = 1;
        String stepWhole = null;
        if (!stepped.isEmpty()) {
            Partition p = c.partitionOfPart(plan.stepRank());
            stepWhole = p == null ? plan.stepRank() : p.whole();
            long perStep = 1;
            if (p != null) {
                for (String part : p.parts().subList(p.parts().indexOf(plan.stepRank()) + 1, p.parts().size())) {
                    perStep *= blockSizes.get(part);
                }
            }
            Map<String, Long> stepBindings = new LinkedHashMap<>(blockBindings);
            stepBindings.put(stepWhole, perStep);
            stepSizes = c.sizes(stepBindings);
            steps = blockSizes.get(plan.stepRank());
        }

        Map<String, String> where = new LinkedHashMap<>();
        for (String e : g.einsums()) {
            for (String t : MappingValidator.tensorRanks(c.producer(e)).keySet()) {
                if (g.keep().containsKey(t)) {
                    where.put(t, g.keep().get(t));
                } else if (g.einsums().contains(t) && c.tensor(t).role() != TensorDecl.Role.OUTPUT) {
                    where.put(t, g.onChip());
                }
            }
        }
        Map<String, Long> wordsAt = new LinkedHashMap<>();
        for (var w : where.entrySet()) {
            if (!w.getValue().equals(Design.Group.STREAM)) {
                long n = footprint(c, plan, c.tensor(w.getKey()), stepWhole, tileSizes, stepSizes);
                wordsAt.merge(w.getValue(), n, Math::addExact);
            }
        }
        boolean fits = wordsAt.entrySet().stream().allMatch(x ->
            x.getValue() <= arch.storage(x.getKey()).capacityWords() * arch.storage(x.getKey()).instances());
        if (!fits) {
            where.values().removeIf(level -> !level.equals(Design.Group.STREAM));
        }
        List<Schedule.Load> loads = new ArrayList<>();
        for (var w : where.entrySet()) {
            TensorDecl t = c.tensor(w.getKey());
            if (t.isInput()) {
                boolean perStep = stepWhole != null && t.ranks().contains(stepWhole);
                loads.add(new Schedule.Load(t.name(), w.getValue(), t.elements(tileSizes),
                    perStep ? t.elements(stepSizes) : 0));
            }
        }
        List<Schedule.Work> works = new ArrayList<>();
        for (String e : g.einsums()) {
            Schedule.Phase phase = phaseOf(plan, stepped, e);
            String unit = d.units().get(e);
            Map<String, String> resident = new LinkedHashMap<>();
            for (String t : MappingValidator.tensorRanks(c.producer(e)).keySet()) {
                String level = where.get(t);
                if (level != null) {
                    resident.put(t, level.equals(Design.Group.STREAM) ? arch.compute(unit).under() : level);
                }
            }
            Map<String, Long> runSizes = phase == Schedule.Phase.STEPPED ? stepSizes : blockSizes;
            List<String> same = new ArrayList<>();
            List<String> previous = new ArrayList<>();
            Einsum einsum = c.producer(e);
            einsum.body().accesses(a -> {
                Einsum producer = c.producer(a.tensor());
                if (producer == null || !g.einsums().contains(a.tensor()) || phaseOf(plan, stepped, a.tensor()) != phase) {
                    return;
                }
                boolean carried = phase == Schedule.Phase.STEPPED && producer.isRecurrence()
                    && a.readsBareIndexOf(plan.stepRank());
                List<String> into = carried ? previous : same;
                if (!into.contains(a.tensor()) && !(a.tensor().equals(e) && !carried)) {
                    into.add(a.tensor());
                }
            });
            List<Schedule.Lagged> overwrites = new ArrayList<>();
            int window = plan.window(e);
            if (phase == Schedule.Phase.STEPPED && window > 0) {
                for (String reader : g.einsums()) {
                    if (stepped.contains(reader) && !reader.equals(e)
                            && MappingValidator.tensorRanks(c.producer(reader)).containsKey(e)) {
                        for (int lag = 1; lag <= window; lag++) {
                            overwrites.add(new Schedule.Lagged(reader, lag));
                        }
                    }
                }
            }
            works.add(new Schedule.Work(e, unit, phase, best(d, e, runSizes, resident), List.copyOf(same),
                List.copyOf(previous), List.copyOf(overwrites)));
        }
        Map<String, Long> tileOf = new LinkedHashMap<>();
        g.tile().keySet().forEach(r -> tileOf.put(r, tileSizes.get(r)));
        Map<String, Long> blockOf = new LinkedHashMap<>();
        g.block().keySet().forEach(r -> blockOf.put(r, blockSizes.get(r)));
        return new Schedule.Stage(gi, g.pipelined(), g.pipelined() ? g.inFlight() : 1, fits, tileOf, blockOf, tiles,
            blocks, steps, List.copyOf(works), List.copyOf(loads));
    }

    /**
     * Binds each rank of {@code parts} to its part of {@code sizes} (no more than the rank's size)
     * in {@code into}; returns how many parts cover the ranks.
     */
    private static long split(Map<String, Long> parts, Map<String, Long> sizes, Map<String, Long> into) {
        long count = 1;
        for (var p : parts.entrySet()) {
            long part = Math.min(sizes.get(p.getKey()), p.getValue());
            into.put(p.getKey(), part);
            count *= (sizes.get(p.getKey()) + part - 1) / part;
        }
        return count;
    }

    private static Schedule.Phase phaseOf(StepPlan plan, Set<String> stepped, String e) {
        if (stepped.contains(e)) {
            return Schedule.Phase.STEPPED;
        }
        return plan.after().stream().anyMatch(x -> x.output().equals(e)) ? Schedule.Phase.AFTER : Schedule.Phase.BEFORE;
    }

    /**
     * Words a kept tensor occupies: an input the step indexes, two steps' chunks (one in use, one
     * arriving); a tensor read only at the current step, one step's; a recurrence over the step
     * rank, two steps of the tile's; anything else, the tile's.
     */
    static long footprint(Cascade c, StepPlan plan, TensorDecl t, String stepWhole, Map<String, Long> tileSizes,
                          Map<String, Long> stepSizes) {
        if (t.isInput()) {
            return stepWhole != null && t.ranks().contains(stepWhole) ? 2 * t.elements(stepSizes) : t.elements(tileSizes);
        }
        int window = plan.window(t.name());
        if (window == 1) {
            return t.elements(stepSizes);
        }
        long n = 1;
        for (int i = 0; i < t.ranks().size(); i++) {
            boolean windowed = window > 0 && t.ranks().get(i).equals(plan.stepRank());
            n = Math.multiplyExact(n, windowed ? window : t.extent(i, tileSizes));
        }
        return n;
    }

    /** What a best mapping depends on: the hardware, the cascade, the Einsum, its unit, sizes and residency. */
    private record Key(Architecture arch, String cascade, String einsum, String unit, Map<String, Long> sizes,
                       Map<String, String> resident) {
    }

    private final Map<Key, Estimate.EinsumEstimate> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private Estimate.EinsumEstimate best(Design d, String e, Map<String, Long> sizes, Map<String, String> resident) {
        Key key = new Key(d.architecture(), d.cascade().name(), e, d.units().get(e), Map.copyOf(sizes), Map.copyOf(resident));
        return cache.computeIfAbsent(key, k -> {
            Mapper m = new Mapper(d.cascade(), sizes, d.architecture(), e, d.units().get(e), Mapper.Objective.CYCLES, resident);
            Mapper.Result r = m.search(new Mapper.LocalSearch(starts, steps, 1), 1, 1);
            if (r.best().isEmpty()) {
                throw new IllegalStateException("no mapping of Einsum " + e + " fits unit " + d.units().get(e));
            }
            return r.best().getFirst().estimate();
        });
    }
}
