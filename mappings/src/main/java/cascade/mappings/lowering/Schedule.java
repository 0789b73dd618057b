package cascade.mappings.lowering;

import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.MappingValidator;

import cascade.einsum.Cascade;
import cascade.hw.ActionCounts;
import java.util.List;
import java.util.Map;

/**
 * A design lowered onto one workload: for each stage (a fused group, or an Einsum on its own),
 * how often it runs, what each of its Einsums costs per run (the mapper's best loop nest at the
 * run's sizes) and what it loads from DRAM. The analytical estimate is a closed form over this
 * and the simulator plays it out event by event, so the two share every per-run figure and can
 * differ only in how they overlap runs: that difference is what the simulator is for.
 *
 * <p>A stage runs {@code tilesPerHead} times per head; a tile runs its {@link Phase#BEFORE} work
 * once per block, then, for each of {@code steps} steps of the recurrence rank, its
 * {@link Phase#STEPPED} work once per block (steps outer, blocks inner, so a chunk of the inputs
 * that the step indexes is loaded once per tile and shared by the blocks), then its
 * {@link Phase#AFTER} work once per block.
 */
public record Schedule(Design design, Map<String, Long> sizes, long heads, List<Stage> stages) {

    public enum Phase { BEFORE, STEPPED, AFTER }

    /**
     * One Einsum's run: its cost at the run's sizes, the Einsums of the same run it waits for
     * ({@code sameStep}), those of the previous step of the same block ({@code previousStep}), and
     * the readers it must not overwrite ({@code overwrites}): a tensor stored as a window of steps
     * reuses the slot of a value that readers of earlier steps may still need.
     */
    public record Work(String einsum, String unit, Phase phase, Estimate.EinsumEstimate each, List<String> sameStep,
                       List<String> previousStep, List<Lagged> overwrites) {
        /**
         * What {@code runs} runs of this work do: every access at every level of its loop nest, and
         * one operation per point for each operator the Einsum needs, on its unit.
         */
        public void count(ActionCounts.Builder into, Cascade cascade, long runs) {
            for (Estimate.Accesses a : each.accesses()) {
                into.add(a.level(), ActionCounts.READ, a.tensor(), Math.multiplyExact(a.reads(), runs));
                into.add(a.level(), ActionCounts.WRITE, a.tensor(), Math.multiplyExact(a.writes(), runs));
            }
            for (String op : MappingValidator.requiredOps(cascade.producer(einsum))) {
                into.add(unit, op, einsum, Math.multiplyExact(each.points(), runs));
            }
        }
    }

    /** Einsum {@code einsum}'s run {@code lag} steps earlier in the same block. */
    public record Lagged(String einsum, int lag) {
    }

    /**
     * An input kept on chip: {@code wordsPerTile} come from DRAM once per tile, in chunks of
     * {@code wordsPerStep} when the input is indexed by the step (else all at the tile's start).
     */
    public record Load(String tensor, String level, long wordsPerTile, long wordsPerStep) {
        /** {@code words} of the tensor read from DRAM ({@code dram}) and written into its level. */
        public void count(ActionCounts.Builder into, String dram, long words) {
            into.add(dram, ActionCounts.READ, tensor, words);
            into.add(level, ActionCounts.WRITE, tensor, words);
        }
    }

    /**
     * The share of an on-chip tensor that does not fit: {@code wordsPerTile} go straight to DRAM
     * and are read back once (FLAT's spilled score slice).
     */
    public record Spill(String tensor, long wordsPerTile) {
        /** {@code words} of the tensor written to DRAM ({@code dram}) and read back. */
        public void count(ActionCounts.Builder into, String dram, long words) {
            into.add(dram, ActionCounts.WRITE, tensor, words);
            into.add(dram, ActionCounts.READ, tensor, words);
        }
    }

    /**
     * {@code prefetchTiles}: the level holding a tile's inputs has room for the next tile's too, so
     * they load while the current tile runs (double-buffered), not once it is done with its own.
     *
     * <p>{@code inFlight}: runs that may be open at once (1 for an unpipelined stage); {@code tile} and
     * {@code block}: the sizes of a tile and a block along each tiled rank.
     */
    public record Stage(int group, boolean pipelined, int inFlight, boolean onChip, Map<String, Long> tile,
                        Map<String, Long> block, long tilesPerHead, long blocks, long steps, List<Work> works,
                        List<Load> loads, List<Spill> spills, boolean prefetchTiles) {
        public Stage(int group, boolean pipelined, int inFlight, boolean onChip, Map<String, Long> tile,
                     Map<String, Long> block, long tilesPerHead, long blocks, long steps, List<Work> works, List<Load> loads) {
            this(group, pipelined, inFlight, onChip, tile, block, tilesPerHead, blocks, steps, works, loads, List.of(), false);
        }

        /** DRAM words the spills of one tile move: each written once and read back once. */
        public long spillWordsPerTile() {
            return 2 * spills.stream().mapToLong(Spill::wordsPerTile).sum();
        }

        /** How many times a work of this phase runs per head. */
        public long runsPerHead(Phase phase) {
            return tilesPerHead * blocks * (phase == Phase.STEPPED ? steps : 1);
        }

        public long loadWordsPerHead() {
            return tilesPerHead * loads.stream().mapToLong(Load::wordsPerTile).sum();
        }
    }
}
