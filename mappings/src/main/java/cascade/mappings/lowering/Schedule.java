package cascade.mappings.lowering;

import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.MappingValidator;
import cascade.mappings.spec.SparsityPolicy;

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
     * reuses the slot of a value that readers of earlier steps may still need. {@code streams}: the
     * works of {@code sameStep} it reads element by element in one pass with them (a design's chain).
     */
    public record Work(String einsum, String unit, Phase phase, Estimate.EinsumEstimate each, List<String> sameStep,
                       List<String> streams, List<String> previousStep, List<Lagged> overwrites, SparsityPolicy policy, long effectualPerHead) {
        /**
         * What {@code runs} runs of this work do when {@code charged} of their points cost energy:
         * every access at every level of its loop nest in that share, and one operation per charged
         * point for each operator the Einsum needs, on its unit.
         */
        public void count(ActionCounts.Builder into, Cascade cascade, long runs, long charged) {
            long dense = Math.multiplyExact(each.points(), runs);
            for (Estimate.Accesses a : each.accesses()) {
                into.add(a.level(), ActionCounts.READ, a.tensor(), share(a.reads(), runs, charged, dense));
                into.add(a.level(), ActionCounts.WRITE, a.tensor(), share(a.writes(), runs, charged, dense));
            }
            for (String op : MappingValidator.requiredOps(cascade.producer(einsum))) {
                into.add(unit, op, einsum, charged);
            }
        }

        /** This work with {@code effectual} points per head (the lowering counts them once every work is costed). */
        public Work withEffectualPerHead(long effectual) {
            return new Work(einsum, unit, phase, each, sameStep, streams, previousStep, overwrites, policy, effectual);
        }

        /** {@code perRun} × {@code runs} in the share {@code charged / dense} (exact when the share is whole). */
        public static long share(long perRun, long runs, long charged, long dense) {
            return charged == dense ? Math.multiplyExact(perRun, runs) : Math.round((double) perRun * runs * charged / dense);
        }

        /** Cycles of one run with {@code effectual} of its points effectual: fewer only where the policy skips. */
        public long runCycles(long perRun, long effectual) {
            return policy.skipsTime() && effectual < each.points()
                ? (perRun * effectual + each.points() - 1) / each.points() : perRun;
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
     * <p>{@code inFlight}: runs that may be open at once (1 for an unpipelined stage), {@code stepsInFlight}
     * of them runs of the steps; {@code tile} and {@code block}: the sizes of a tile and a block along
     * each tiled rank.
     */
    public record Stage(int group, boolean pipelined, int inFlight, int stepsInFlight, boolean onChip,
                        Map<String, Long> tile, Map<String, Long> block, long tilesPerHead, long blocks, long steps,
                        List<Work> works, List<Load> loads, List<Spill> spills, boolean prefetchTiles, Occupancy occupancy) {
        public Stage(int group, boolean pipelined, int inFlight, boolean onChip, Map<String, Long> tile,
                     Map<String, Long> block, long tilesPerHead, long blocks, long steps, List<Work> works, List<Load> loads) {
            this(group, pipelined, inFlight, inFlight, onChip, tile, block, tilesPerHead, blocks, steps, works, loads,
                List.of(), false, null);
        }

        /** The works {@code w} streams from on its own unit, in its streams' order: it computes in their pass. */
        public List<Work> ridesOn(Work w) {
            return w.streams().stream()
                .map(name -> works.stream().filter(f -> f.einsum().equals(name)).findFirst().orElseThrow())
                .filter(f -> f.unit().equals(w.unit())).toList();
        }

        /**
         * Cycles per run that {@code w} adds to its unit's work: none beyond its feeder's where it
         * streams from a work on the same unit (it computes in the feeder's pass).
         */
        public long passCycles(Work w, long perRun, java.util.function.ToLongFunction<Work> perRunOf) {
            long feeder = ridesOn(w).stream().mapToLong(perRunOf).max().orElse(0);
            return Math.max(0, perRun - feeder);
        }

        /** Runs of {@code w} performed per head: all of its phase's, but the empty stepped runs a stage skips. */
        public long performedRunsPerHead(Work w) {
            return w.phase() == Phase.STEPPED && occupancy != null ? occupancy.performedRunsPerHead() : runsPerHead(w.phase());
        }

        /** Points of {@code w} per head that cost energy: the effectual ones where its policy gates or skips. */
        public long chargedPointsPerHead(Work w) {
            return w.policy().skipsEnergy() ? w.effectualPerHead()
                : Math.multiplyExact(w.each().points(), performedRunsPerHead(w));
        }

        /** Points of {@code w} per head that take time: the effectual ones where its policy skips. */
        public long timedPointsPerHead(Work w) {
            return w.policy().skipsTime() ? w.effectualPerHead()
                : Math.multiplyExact(w.each().points(), performedRunsPerHead(w));
        }

        /** Cycles per head of {@code w} whose dense run takes {@code perRun}, run by run as the occupancy has them. */
        public long cyclesPerHead(Work w, long perRun) {
            if (!w.policy().skipsTime()) {
                return Math.multiplyExact(perRun, performedRunsPerHead(w));
            }
            int wi = works.indexOf(w);
            if (w.phase() == Phase.STEPPED && occupancy != null) {
                long n = 0;
                for (int c = 0; c < occupancy.runsOfClass().length; c++) {
                    if (occupancy.performed(c)) {
                        n += occupancy.runsOfClass()[c] * w.runCycles(perRun, occupancy.effectualOf(c, wi, w.each().points()));
                    }
                }
                return n;
            }
            return Math.multiplyExact(w.runCycles(perRun, averageEffectual(w)), runsPerHead(w.phase()));
        }

        /** Effectual points of an average run of {@code w} (a work outside the steps is charged evenly over its runs). */
        public long averageEffectual(Work w) {
            long runs = runsPerHead(w.phase());
            return runs == 0 ? 0 : (w.effectualPerHead() + runs - 1) / runs;
        }

        /** Words of {@code l} loaded from DRAM per head: a chunk no block needs is not fetched. */
        public long loadWordsPerHead(Load l) {
            if (l.wordsPerStep() > 0 && occupancy != null && occupancy.skipsEmpty()) {
                return Math.multiplyExact(l.wordsPerStep(), occupancy.neededChunksPerHead());
            }
            return Math.multiplyExact(tilesPerHead, l.wordsPerTile());
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
            return loads.stream().mapToLong(this::loadWordsPerHead).sum();
        }

        /** Runs of one tile: a block's run per phase, and per step in the stepped phase. */
        public long runsPerTile() {
            long n = 0;
            for (Phase p : Phase.values()) {
                if (works.stream().anyMatch(w -> w.phase() == p)) {
                    n += blocks * (p == Phase.STEPPED ? steps : 1);
                }
            }
            return n;
        }

        /**
         * Whether a tile's inputs load while the tile before it runs: where the level has room for
         * two tiles', or where a whole tile's runs fit in the window of runs in flight (their
         * buffers then hold the next tile's too, as FLAT's double-buffered score slices).
         */
        public boolean tilesOverlap() {
            return prefetchTiles || runsPerTile() <= inFlight;
        }

        /**
         * DRAM words a tile moves at its start, before its first phase can run: the inputs it loads
         * whole, and its spill (written out and read back), which moves with them.
         */
        public long tileStartWords() {
            return loads.stream().filter(l -> l.wordsPerStep() == 0).mapToLong(Load::wordsPerTile).sum()
                + spillWordsPerTile();
        }
    }
}
