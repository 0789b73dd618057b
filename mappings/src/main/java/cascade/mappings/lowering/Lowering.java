package cascade.mappings.lowering;

import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.model.CostModel;
import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.FlatDataflows;
import cascade.mappings.spec.MappingValidator;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Partition;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import cascade.hw.Architecture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a {@link Design} onto a workload into a {@link Schedule}, which every {@link CostModel}
 * costs. A group runs once per tile of its tile ranks, in blocks, one step of the recurrence rank
 * at a time (see {@link Schedule}); each Einsum is costed at the size of one run by an
 * {@link EinsumCoster} (by default the mapper's best loop nest, local search, seeded, for
 * cycles). Where a group's tensors live: {@code keep} says, else its intermediates stay at its
 * on-chip level; if what it keeps does not fit, everything but the streams spills to DRAM.
 */
public final class Lowering {
    /** Costs one Einsum of a design for one run: at these sizes, with these tensors resident at these levels. */
    public interface EinsumCoster {
        Estimate.EinsumEstimate best(Design d, String einsum, Map<String, Long> sizes, Map<String, String> resident);
    }

    /** Local-search starts and steps per Einsum of the standard mapper budget: the one the commands and the demo use. */
    public static final long STANDARD_STARTS = 12;
    public static final long STANDARD_STEPS = 400;

    private final EinsumCoster coster;

    public Lowering(EinsumCoster coster) {
        this.coster = coster;
    }

    /** A lowering whose Einsums are mapped by the mapper with the standard budget (its searches cached). */
    public static Lowering standard() {
        return withMapper(STANDARD_STARTS, STANDARD_STEPS);
    }

    /**
     * A lowering whose Einsums are mapped by the mapper's local search with this budget (its searches
     * cached); a top-k on a top-k engine takes the engine's time on synthetic attention's numbers.
     */
    public static Lowering withMapper(long starts, long steps) {
        return new Lowering(new TopKCoster(new MapperCoster(starts, steps)));
    }

    /** The design lowered onto these sizes: every stage, its run counts and each Einsum's cost per run. */
    public Schedule lower(Design d, Map<String, Long> bindings, long heads) {
        Cascade c = d.cascade();
        Map<String, Long> rounded = new LinkedHashMap<>();
        Sparsity sparsity = Sparsity.of(c, bindings, rounded);
        bindings = rounded;
        Map<String, Long> sizes = sparsity.sizes();
        List<Schedule.Stage> stages = new ArrayList<>();
        Set<Integer> lowered = new LinkedHashSet<>();
        // Stages in the cascade's order: a group where its first Einsum comes, so what a stage reads is there before it.
        for (Einsum e : c.einsums()) {
            int gi = groupOf(d, e.output());
            if (gi >= 0) {
                if (lowered.add(gi)) {
                    stages.add(lowerGroup(d, gi, bindings, sizes, sparsity));
                }
            } else if (!d.folded().contains(e.output()) && !d.maintained().contains(e.output())) {
                Estimate.EinsumEstimate each = packed(d, coster.best(d, e.output(), sizes, Map.of()));
                Schedule.Work w = new Schedule.Work(e.output(), d.units().get(e.output()), Schedule.Phase.BEFORE,
                    each, List.of(), List.of(), List.of(), List.of(), d.sparsityOf(e.output()),
                    sparsity.perHead(e.output(), each.points()));
                stages.add(new Schedule.Stage(-1, false, 1, false, Map.of(), Map.of(), 1, 1, 1, List.of(w), List.of()));
            }
        }
        return new Schedule(d, sizes, heads, List.copyOf(stages));
    }

    /**
     * {@code each} with the DRAM accesses of tensors the design stores narrower than a word packed
     * ({@link Design#dramWords}): fewer words, the DRAM's bandwidth cycles in the same proportion,
     * and the energy priced again from the packed accesses.
     */
    static Estimate.EinsumEstimate packed(Design d, Estimate.EinsumEstimate each) {
        if (d.storedBits().isEmpty()) {
            return each;
        }
        String dram = d.architecture().storage().getFirst().name();
        List<Estimate.Accesses> accesses = new ArrayList<>();
        for (Estimate.Accesses a : each.accesses()) {
            accesses.add(a.level().equals(dram) ? new Estimate.Accesses(a.level(), a.tensor(),
                d.dramWords(a.tensor(), a.reads()), d.dramWords(a.tensor(), a.writes())) : a);
        }
        long before = each.wordsAt(dram);
        long after = accesses.stream().filter(a -> a.level().equals(dram)).mapToLong(a -> a.reads() + a.writes()).sum();
        if (before == after) {
            return each;
        }
        Map<String, Long> bandwidth = new LinkedHashMap<>(each.bandwidthCycles());
        bandwidth.computeIfPresent(dram, (k, c) -> (long) Math.ceil((double) c * after / before));
        Map<String, Double> energy = AnalyticalModel.energyPj(d.architecture(), d.cascade().producer(each.output()),
            each.unit(), each.points(), accesses);
        long cycles = each.computeCycles();
        for (long b : bandwidth.values()) {
            cycles = Math.max(cycles, b);
        }
        return new Estimate.EinsumEstimate(each.output(), each.unit(), each.points(), each.computeCycles(), bandwidth, cycles,
            each.utilization(), List.copyOf(accesses), energy);
    }

    private static int groupOf(Design d, String einsum) {
        for (int gi = 0; gi < d.groups().size(); gi++) {
            if (d.groups().get(gi).einsums().contains(einsum)) {
                return gi;
            }
        }
        return -1;
    }

    private Schedule.Stage lowerGroup(Design d, int gi, Map<String, Long> bindings, Map<String, Long> sizes,
                                      Sparsity sparsity) {
        Design.Group g = d.groups().get(gi);
        Cascade c = d.cascade();
        Architecture arch = d.architecture();
        StepPlan plan = StepPlan.of(c);
        // FLAT's table, where the group names one, gives this workload's tile and what stays on chip.
        FlatDataflows.Row flow = g.dataflow() == null ? null : g.dataflow().table().at(sizes);
        Map<String, Long> tile = g.tile();
        Map<String, Long> block = g.block();
        if (flow != null) {
            String rows = g.dataflow().rows();
            tile = Map.of(rows, flow.rowGranularity() ? flow.p1() : sizes.get(rows));
            block = g.block().isEmpty() ? tile : g.block();
        }
        Map<String, String> where = placement(c, g);
        if (tile.containsValue(Design.Group.FIT)) {
            tile = fittingTile(c, plan, g, arch, tile, block, bindings, sizes, where, d.folded());
        }
        Sizing z = sizing(c, plan, g, tile, block, bindings, sizes);
        long tiles = z.tiles();
        Map<String, Long> tileSizes = z.tileSizes();
        long blocks = z.blocks();
        Map<String, Long> blockSizes = z.blockSizes();
        Set<String> stepped = z.stepped();
        Map<String, Long> stepSizes = z.stepSizes();
        long steps = z.steps();
        String stepWhole = z.stepWhole();
        Map<String, Long> wordsAt = wordsAt(c, plan, where, d.folded(), z);
        boolean fits = fitsIn(arch, wordsAt);
        List<Schedule.Spill> spills = new ArrayList<>();
        if (flow != null) {
            String dram = arch.storage().getFirst().name();
            for (var placed : flow.onChip().entrySet()) {
                TensorDecl t = c.tensor(placed.getKey());
                if (t.role() == TensorDecl.Role.OUTPUT) {
                    continue; // the output goes to DRAM either way
                }
                if (placed.getValue()) {
                    where.put(t.name(), g.onChip());
                } else if (t.isInput()) {
                    where.remove(t.name()); // read from DRAM where it is used
                } else {
                    where.put(t.name(), dram);
                }
            }
            fits = true; // the table's spilled share is what does not fit
            String slice = g.dataflow().slice();
            long spilled = Math.round(flow.spilledShare() * c.tensor(slice).elements(tileSizes));
            if (spilled > 0 && g.onChip().equals(where.get(slice))) {
                spills.add(new Schedule.Spill(slice, spilled));
            }
        } else if (!fits) {
            where.values().removeIf(level -> !level.equals(Design.Group.STREAM));
        }
        for (String e : g.einsums()) {
            if (d.folded().contains(e)) { // a folded Einsum's output is its input, scaled in advance: it lies where that does
                String input = MappingValidator.tensorRanks(c.producer(e)).keySet().stream().filter(t -> !t.equals(e))
                    .findFirst().orElseThrow();
                if (where.containsKey(input)) {
                    where.put(e, where.get(input));
                } else {
                    where.remove(e);
                }
            }
        }
        List<Schedule.Load> loads = new ArrayList<>();
        for (var w : where.entrySet()) {
            TensorDecl t = c.tensor(w.getKey());
            if (t.isInput()) {
                boolean perStep = stepWhole != null && t.ranks().contains(stepWhole);
                loads.add(new Schedule.Load(t.name(), w.getValue(), d.dramWords(t.name(), t.elements(tileSizes)),
                    perStep ? d.dramWords(t.name(), t.elements(stepSizes)) : 0));
            }
        }
        List<Schedule.Work> works = new ArrayList<>();
        for (String e : g.einsums()) {
            if (d.folded().contains(e)) {
                continue; // folded away by an assumption: its output is there when its readers start
            }
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
                if (producer == null || !g.einsums().contains(a.tensor()) || d.folded().contains(a.tensor())
                        || phaseOf(plan, stepped, a.tensor()) != phase) {
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
            List<String> streams = g.streamsInto(c, e).stream().filter(same::contains).toList();
            works.add(new Schedule.Work(e, unit, phase, packed(d, coster.best(d, e, runSizes, resident)), List.copyOf(same),
                streams, List.copyOf(previous), List.copyOf(overwrites), d.sparsityOf(e), 0));
        }
        // What is effectual: a padded last tile, block or chunk, the masks and what they make null.
        tile.keySet().forEach(r -> sparsity.padBlocks(r, tiles(tileSizes, sizes, r) * tileSizes.get(r)));
        block.keySet().forEach(r -> sparsity.padBlocks(r, tiles(tileSizes, sizes, r)
            * ((tileSizes.get(r) + blockSizes.get(r) - 1) / blockSizes.get(r)) * blockSizes.get(r)));
        Map<String, Long> tileOf = new LinkedHashMap<>();
        tile.keySet().forEach(r -> tileOf.put(r, tileSizes.get(r)));
        Map<String, Long> blockOf = new LinkedHashMap<>();
        block.keySet().forEach(r -> blockOf.put(r, blockSizes.get(r)));
        Occupancy occupancy = !stepped.isEmpty()
            ? sparsity.occupancy(works, plan.stepRank(), tileOf, blockOf, stepSizes, tiles, blocks, steps)
            : null;
        for (int w = 0; w < works.size(); w++) {
            Schedule.Work x = works.get(w);
            long runs = (x.phase() == Schedule.Phase.STEPPED ? steps : 1) * blocks * tiles;
            long dense = Math.multiplyExact(x.each().points(), runs);
            works.set(w, x.withEffectualPerHead(x.phase() == Schedule.Phase.STEPPED && occupancy != null
                ? occupancy.effectualPerHead(w, x.each().points()) : sparsity.perHead(x.einsum(), dense)));
        }
        // Room beside the group's own footprint for a second copy of a tile's inputs: the next tile can load early.
        Map<String, Long> withNextTile = new LinkedHashMap<>(wordsAt);
        loads.stream().filter(l -> l.wordsPerStep() == 0)
            .forEach(l -> withNextTile.merge(l.level(), l.wordsPerTile(), Math::addExact));
        boolean prefetch = fits && fitsIn(arch, withNextTile);
        return new Schedule.Stage(gi, g.pipelined(), g.pipelined() ? g.inFlight() : 1,
            g.pipelined() ? g.stepsInFlight() : 1, fits, tileOf, blockOf, tiles,
            blocks, steps, List.copyOf(works), List.copyOf(loads), List.copyOf(spills), prefetch, occupancy);
    }

    /** How many tiles cover rank {@code r}. */
    private static long tiles(Map<String, Long> tileSizes, Map<String, Long> sizes, String r) {
        return (sizes.get(r) + tileSizes.get(r) - 1) / tileSizes.get(r);
    }

    /** A group's sizes at one tiling: tiles and blocks, and the sizes a tile, a block and a step cover. */
    private record Sizing(long tiles, Map<String, Long> tileSizes, long blocks, Map<String, Long> blockSizes,
                          Set<String> stepped, Map<String, Long> stepSizes, long steps, String stepWhole) {
    }

    private static Sizing sizing(Cascade c, StepPlan plan, Design.Group g, Map<String, Long> tile, Map<String, Long> block,
                                 Map<String, Long> bindings, Map<String, Long> sizes) {
        Map<String, Long> tileBindings = new LinkedHashMap<>(bindings);
        long tiles = split(tile, sizes, tileBindings);
        Map<String, Long> tileSizes = c.sizes(tileBindings);
        Map<String, Long> blockBindings = new LinkedHashMap<>(tileBindings);
        long blocks = split(block, tileSizes, blockBindings);
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
        return new Sizing(tiles, tileSizes, blocks, blockSizes, stepped, stepSizes, steps, stepWhole);
    }

    /** Where the group keeps each tensor it touches: as its {@code keep} says, intermediates at {@code onChip}. */
    private static Map<String, String> placement(Cascade c, Design.Group g) {
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
        return where;
    }

    /**
     * {@code tile: {R: fit}}: the largest whole number of blocks of R that divides R and whose
     * footprint fits every level it is kept at (FuseMax's query tile P1, by the artifact's rule);
     * one block when none does.
     */
    private static Map<String, Long> fittingTile(Cascade c, StepPlan plan, Design.Group g, Architecture arch,
                                                 Map<String, Long> tile, Map<String, Long> block, Map<String, Long> bindings,
                                                 Map<String, Long> sizes, Map<String, String> where,
                                                 List<String> folded) {
        Map<String, Long> chosen = new LinkedHashMap<>(tile);
        for (var t : tile.entrySet()) {
            if (t.getValue() != Design.Group.FIT) {
                continue;
            }
            String rank = t.getKey();
            long unit = Math.min(block.getOrDefault(rank, 1L), sizes.get(rank));
            long n = (sizes.get(rank) + unit - 1) / unit; // a partial last block counts as one
            chosen.put(rank, unit);
            for (long d = n; d >= 1; d--) {
                if (n % d != 0) {
                    continue;
                }
                Map<String, Long> candidate = new LinkedHashMap<>(chosen);
                candidate.put(rank, d * unit);
                if (fitsIn(arch, wordsAt(c, plan, where, folded, sizing(c, plan, g, candidate, block, bindings, sizes)))) {
                    chosen.put(rank, d * unit);
                    break;
                }
            }
        }
        return chosen;
    }

    /**
     * Words each level holds of what the group keeps there, at one tiling (a tensor that streams
     * takes none; a folded Einsum's output is its input's words).
     */
    private static Map<String, Long> wordsAt(Cascade c, StepPlan plan, Map<String, String> where, List<String> folded,
                                             Sizing z) {
        Map<String, Long> words = new LinkedHashMap<>();
        for (var w : where.entrySet()) {
            if (!w.getValue().equals(Design.Group.STREAM) && !folded.contains(w.getKey())) {
                words.merge(w.getValue(), footprint(c, plan, c.tensor(w.getKey()), z.stepWhole(), z.tileSizes(),
                    z.stepSizes()), Math::addExact);
            }
        }
        return words;
    }

    /** Whether every level holds its words, over all its instances. */
    private static boolean fitsIn(Architecture arch, Map<String, Long> words) {
        return words.entrySet().stream().allMatch(x ->
            x.getValue() <= arch.storage(x.getKey()).capacityWords() * arch.storage(x.getKey()).instances());
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
}
