package cascade.sim.engine;

import cascade.einsum.exec.Session;
import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import cascade.mappings.model.CostModel;
import cascade.mappings.model.Estimate;
import cascade.mappings.model.Report;
import cascade.mappings.spec.MappingValidator;
import cascade.mappings.lowering.Occupancy;
import cascade.mappings.lowering.Schedule;
import cascade.traces.Timeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays a {@link Schedule} out on its architecture, one Einsum run (a task) at a time.
 *
 * <p>What is modelled: each compute unit issues one task at a time and holds it for the larger of
 * its compute cycles and the cycles its own (unshared) storage levels need; the result is ready
 * the unit's pipeline latency later. Storage levels that several units reach (the global buffer,
 * DRAM) are bandwidth servers: a task's words there queue behind earlier requests, and DRAM adds
 * its latency. DRAM also has a background queue, served only in the time the foreground leaves
 * idle: outputs written to DRAM (posted: the writing unit and its run's FIFO slot do not wait for
 * them; at most a FIFO's worth are pending, and the stage ends when the last is written) and, where
 * two tiles' inputs fit, the next tile's inputs, requested as this tile's are and promoted to the
 * foreground when the next tile's first run opens. Where they do not fit, a tile's inputs load
 * into the room the tile before leaves once its first phase, which reads them, is done.
 * A task waits for the tasks it reads (same step, or the previous step of its block),
 * for its phase's predecessor of its block, for the inputs loaded from DRAM (chunks of the step
 * double-buffered: chunk c+2 loads once chunk c is consumed), and for a free slot: at most
 * the stage's {@code inFlight} runs are open at once (the FIFOs between pipelined units). Among the
 * tasks that could go, the one that can start earliest goes first.
 *
 * <p>Repetition: the machine state at an instance boundary (every resource's free time and every
 * open or recent task, relative to the earliest free unit) is remembered; when it recurs, the span
 * between is a period and whole periods up to the end of the tile's steps are skipped by shifting
 * every time and adding each counter's growth, exactly. Tiles (and heads) repeat the same way.
 */
public final class Simulator {
    private static final int MAX_REMEMBERED = 4096;
    /** How many tile periods back a recurring tile state is looked for. */
    private static final long TILE_PERIODS = 8;
    /**
     * @param timeline where slices go (full simulation only), or null
     * @param values   timing with values: each task of the first head computes its numbers in this
     *                 session as it is placed (full simulation only), or null for timing only
     */
    public record Options(boolean extrapolate, Timeline timeline, Session values) {
        public Options(boolean extrapolate, Timeline timeline) {
            this(extrapolate, timeline, null);
        }

        public static Options defaults() {
            return new Options(true, null, null);
        }
    }

    /** The simulator as a {@link CostModel}, with these options. */
    public record Model(Options options) implements CostModel {
        /** Timing only, repeats skipped exactly. */
        public static final Model DEFAULT = new Model(Options.defaults());

        @Override
        public Report cost(Schedule schedule) {
            return run(schedule, options);
        }
    }

    private final Schedule schedule;
    private final Architecture arch;
    private final Options options;
    private final List<ComputeArray> units;
    private final List<StorageLevel> levels;
    private final long[] unitFree;
    private final long[] levelFree;
    private final long[] busy;
    private final long[] stallIn;
    private final long[] stallOut;
    private long simulated;
    private long skipped;

    private Simulator(Schedule schedule, Options options) {
        this.schedule = schedule;
        this.arch = schedule.design().architecture();
        this.options = options;
        this.units = arch.compute();
        this.levels = arch.storage();
        unitFree = new long[units.size()];
        levelFree = new long[levels.size()];
        busy = new long[units.size()];
        stallIn = new long[units.size()];
        stallOut = new long[units.size()];
        if (options.timeline() != null) {
            units.forEach(u -> options.timeline().track(u.name()));
            levels.forEach(l -> options.timeline().track(l.name()));
        }
    }

    public static Report run(Schedule schedule, Options options) {
        if ((options.timeline() != null || options.values() != null) && options.extrapolate()) {
            throw new IllegalArgumentException("a timeline or values need the full simulation (no extrapolation)");
        }
        if (options.values() != null) {
            String lane = options.values().laneRank();
            for (Schedule.Stage st : schedule.stages()) {
                boolean stepped = st.works().stream().anyMatch(x -> x.phase() == Schedule.Phase.STEPPED);
                for (String r : stepped ? st.block().keySet() : java.util.Set.<String>of()) {
                    if (!r.equals(lane) && st.block().get(r) < schedule.sizes().get(r)) {
                        throw new IllegalArgumentException("values: the design splits " + r + " but the executor's runs split "
                            + (lane == null ? "nothing" : lane) + " only");
                    }
                }
            }
        }
        if (options.values() != null) {
            // An Einsum an assumption folds away takes no time, but its readers need its values: they come first.
            for (String folded : schedule.design().folded()) {
                options.values().run(folded, 0, -1, -1);
            }
        }
        return new Simulator(schedule, options).simulate();
    }

    private Report simulate() {
        long end = 0;
        Map<String, Long> runs = new LinkedHashMap<>();
        ActionCounts.Builder actions = new ActionCounts.Builder();
        double[] points = new double[units.size()];
        double[] busyCycles = new double[units.size()];
        StorageLevel dram = levels.getFirst();
        for (Schedule.Stage st : schedule.stages()) {
            StageRun r = new StageRun(st, end);
            end = r.run();
            for (int w = 0; w < st.works().size(); w++) {
                Schedule.Work work = st.works().get(w);
                long n = r.runs[w];
                runs.merge(work.einsum(), n, Long::sum);
                long dense = Math.multiplyExact(work.each().points(), n);
                // The effectual points of the runs performed: counted run by run in the steps, else the lowering's share.
                long effectual = work.phase() == Schedule.Phase.STEPPED && st.occupancy() != null ? r.effectualDone[w]
                    : Math.multiplyExact(work.effectualPerHead(), schedule.heads());
                work.count(actions, schedule.design().cascade(), n, work.policy().skipsEnergy() ? effectual : dense);
                long timed = work.policy().skipsTime() ? effectual : dense;
                int u = units.indexOf(arch.compute(work.unit()));
                points[u] += (double) timed;
                busyCycles[u] += dense == 0 ? 0 : work.each().busyCycles() * n * ((double) timed / dense);
            }
            for (int l = 0; l < st.loads().size(); l++) {
                st.loads().get(l).count(actions, dram.name(), r.loadedWords[l]);
            }
            for (Schedule.Spill sp : st.spills()) {
                sp.count(actions, dram.name(), sp.wordsPerTile() * st.tilesPerHead() * schedule.heads());
            }
        }
        Map<String, Double> utilization = new LinkedHashMap<>();
        Map<String, Report.UnitStats> stats = new LinkedHashMap<>();
        for (int u = 0; u < units.size(); u++) {
            ComputeArray unit = units.get(u);
            utilization.put(unit.name(), end == 0 ? 0 : busyCycles[u] / end);
            stats.put(unit.name(), new Report.UnitStats(busy[u], stallIn[u], stallOut[u],
                end - busy[u] - stallIn[u] - stallOut[u]));
        }
        return Report.of(schedule, end, utilization, actions.build(),
            new Report.SimulationDetail(stats, runs, simulated, skipped, Arrays.stream(points).sum()));
    }

    /** One open run of a stage: which of its tasks are placed, and when each finishes. */
    private static final class Instance {
        final long[] finish;
        /** When each work began on its unit. */
        final long[] begin;
        final boolean[] placed;
        int left;
        long completion = Long.MIN_VALUE;
        /** The occupancy's class of this run ({@link Occupancy#FULL} for a dense stage or a run outside the steps). */
        int cls = Occupancy.FULL;
        /** A run nothing needs: it passes its block's state through once the run before it is done. */
        boolean skipped;
        /** Among the stage's performed runs, this one's place (-1 for a skipped run): the FIFOs hold performed runs only. */
        long rank = -1;

        Instance(int works, int count) {
            finish = new long[works];
            begin = new long[works];
            placed = new boolean[works];
            left = count;
        }

        Instance shifted(long dt, long dRank) {
            Instance c = new Instance(finish.length, left);
            c.rank = rank < 0 ? rank : rank + dRank;
            for (int i = 0; i < finish.length; i++) {
                c.finish[i] = placed[i] ? finish[i] + dt : 0;
                c.begin[i] = placed[i] ? begin[i] + dt : 0;
                c.placed[i] = placed[i];
            }
            c.completion = completion == Long.MIN_VALUE ? Long.MIN_VALUE : completion + dt;
            c.cls = cls;
            c.skipped = skipped;
            return c;
        }
    }

    /** A chunk of the step-indexed inputs: when its load finishes, how many runs still use it. */
    private static final class Chunk {
        long loaded = Long.MIN_VALUE;
        int left;
        long completion = Long.MIN_VALUE;

        Chunk shifted(long dt) {
            Chunk c = new Chunk();
            c.loaded = loaded == Long.MIN_VALUE ? loaded : loaded + dt;
            c.left = left;
            c.completion = completion == Long.MIN_VALUE ? completion : completion + dt;
            return c;
        }
    }

    /**
     * When a tile's after-phase runs began, block by block, and how many of their works are placed:
     * a sequenced stage's tile stepsInFlight later takes over the running state once they have.
     */
    private static final class AfterBegun {
        final long[] latest;
        final int[] placed;

        AfterBegun(int blocks) {
            latest = new long[blocks];
            java.util.Arrays.fill(latest, Long.MIN_VALUE);
            placed = new int[blocks];
        }

        void add(int block, long begin) {
            latest[block] = Math.max(latest[block], begin);
            placed[block]++;
        }

        AfterBegun shifted(long dt) {
            AfterBegun a = new AfterBegun(latest.length);
            for (int b = 0; b < latest.length; b++) {
                a.latest[b] = latest[b] == Long.MIN_VALUE ? Long.MIN_VALUE : latest[b] + dt;
                a.placed[b] = placed[b];
            }
            return a;
        }
    }

    /** A DRAM transfer behind the foreground's: a posted write ({@code tile} −1) or a tile's prefetched inputs. */
    private static final class Background {
        long notBefore;
        long cycles;
        long tile;
        final String what;

        Background(long notBefore, long cycles, long tile, String what) {
            this.notBefore = notBefore;
            this.cycles = cycles;
            this.tile = tile;
            this.what = what;
        }
    }

    private record Remembered(long first, long reference, long[] counters) {
    }

    private record TileSeen(Key key, Remembered state) {
    }

    /** A growable array of longs: a state key is built often, and boxing each entry was most of its cost. */
    private static final class LongBuffer {
        private long[] values = new long[256];
        private int size;

        void add(long x) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = x;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private final class StageRun {
        final Schedule.Stage st;
        final long start;
        final int works;
        final int[] unitOf;
        final long[] occupancy;
        final long[] latency;
        final long[][] sharedWords; // [work][level]: words the unit waits for
        final long[] postedWrites; // [work]: words written to DRAM behind the unit's back
        final int[][] same;
        /** [work]: the same-step works it streams from, and the one of them on its own unit it rides with (-1: none). */
        final boolean[][] streamsFrom;
        final int[] ridesWith;
        /** [work]: whether another work streams from it. */
        final boolean[] feeds;
        final int[][] previous;
        final int[][] overwrites; // [work][k]: reader work index; lags in overwriteLag
        final int[][] overwriteLag;
        final Schedule.Phase[] phase;
        final long blocks;
        final long steps;
        final long nBefore;
        final long nStepped;
        final long nAfter;
        final long perTile;
        final long tiles;
        final long total;
        final int[] countOf = new int[Schedule.Phase.values().length];
        final long stepWords;
        final long tileWords;
        final long[] runs;
        /** Effectual points of the stepped runs placed, per work. */
        final long[] effectualDone;
        final Occupancy occ;
        /** Per class (lazily) and work: a run's occupancy, and its words at each shared level. */
        final long[][] occupancyOfClass;
        final long[][][] sharedWordsOfClass;
        final long[][] postedWritesOfClass;
        final long[] loadedWords;
        final Set<Integer> stageUnits = new HashSet<>();
        final boolean[] usedYet;
        final HashMap<Long, Instance> open = new HashMap<>();
        final HashMap<Long, Chunk> chunks = new HashMap<>();
        final HashMap<Long, Long> tileLoaded = new HashMap<>();
        /** A sequenced stage's recent tiles: when their after-phase runs began (see {@link AfterBegun}). */
        final HashMap<Long, AfterBegun> afterBegun = new HashMap<>();
        final int afterWorks;
        long firstPhaseDone = Long.MIN_VALUE;
        /** Unpipelined stages run one task at a time: when the last one finished. */
        long serial = Long.MIN_VALUE;
        final int inFlight;
        /** Performed runs released so far, the lowest rank not yet complete, and recent ranks' completions. */
        long perfReleased;
        long firstPerf;
        final long[] ringRank;
        final long[] ringDone;
        /** Open runs at most (skipped ones waiting on their block's previous step count too). */
        final long maxOpen;
        long first;
        long released;
        long end;
        final long lookback;

        StageRun(Schedule.Stage st, long start) {
            this.st = st;
            this.start = start;
            this.works = st.works().size();
            unitOf = new int[works];
            occupancy = new long[works];
            latency = new long[works];
            sharedWords = new long[works][levels.size()];
            postedWrites = new long[works];
            same = new int[works][];
            streamsFrom = new boolean[works][works];
            ridesWith = new int[works];
            feeds = new boolean[works];
            previous = new int[works][];
            overwrites = new int[works][];
            overwriteLag = new int[works][];
            phase = new Schedule.Phase[works];
            List<String> names = st.works().stream().map(Schedule.Work::einsum).toList();
            for (int w = 0; w < works; w++) {
                Schedule.Work work = st.works().get(w);
                ComputeArray unit = arch.compute(work.unit());
                unitOf[w] = units.indexOf(unit);
                stageUnits.add(unitOf[w]);
                phase[w] = work.phase();
                countOf[phase[w].ordinal()]++;
                Estimate.EinsumEstimate each = work.each();
                Set<String> path = Set.copyOf(arch.pathTo(unit.under()));
                long occ = each.computeCycles();
                for (int l = 0; l < levels.size(); l++) {
                    StorageLevel level = levels.get(l);
                    if (!path.contains(level.name())) {
                        continue;
                    }
                    if (sharedLevel(level)) {
                        // Writes to DRAM are posted: they take DRAM's bandwidth but do not hold the unit.
                        long posted = l == 0 ? writesAt(each, level.name()) : 0;
                        sharedWords[w][l] = each.wordsAt(level.name()) - posted;
                        if (l == 0) {
                            postedWrites[w] = posted;
                        }
                    } else {
                        occ = Math.max(occ, each.bandwidthCycles().getOrDefault(level.name(), 0L));
                    }
                }
                occupancy[w] = occ;
                if (work.policy().skipsTime() && (work.phase() != Schedule.Phase.STEPPED || st.occupancy() == null)) {
                    // Outside the classified steps a skipping unit is charged the work's average effectual share per run.
                    long average = st.averageEffectual(work);
                    occupancy[w] = work.runCycles(occ, average);
                    for (int l = 0; l < levels.size(); l++) {
                        sharedWords[w][l] = work.runCycles(sharedWords[w][l], average);
                    }
                    postedWrites[w] = work.runCycles(postedWrites[w], average);
                }
                // The slowest of its operators' latencies (a multiply on a unit of multiply-accumulates is one);
                // an Einsum with no operator (a copy) takes a cycle.
                Set<String> ops = MappingValidator.requiredOps(schedule.design().cascade().producer(work.einsum()));
                long lat = ops.isEmpty() ? 1 : 0;
                for (String op : ops) {
                    String as = op.equals("mul") && !unit.supports("mul") ? "mac" : op;
                    lat = Math.max(lat, unit.latencyCycles().getOrDefault(as, 1));
                }
                latency[w] = lat;
                same[w] = work.sameStep().stream().mapToInt(names::indexOf).toArray();
                for (String f : work.streams()) {
                    int fi = names.indexOf(f);
                    streamsFrom[w][fi] = true;
                    feeds[fi] = true;
                }
                List<Schedule.Work> rides = st.ridesOn(work);
                ridesWith[w] = rides.isEmpty() ? -1 : names.indexOf(rides.getLast().einsum());
                previous[w] = work.previousStep().stream().mapToInt(names::indexOf).toArray();
                overwrites[w] = work.overwrites().stream().mapToInt(x -> names.indexOf(x.einsum())).toArray();
                overwriteLag[w] = work.overwrites().stream().mapToInt(Schedule.Lagged::lag).toArray();
            }
            blocks = st.blocks();
            // A sparse stage leaves out the steps no block of a tile needs (the occupancy's steps).
            steps = st.occupancy() != null ? st.occupancy().steps() : st.steps();
            nBefore = countOf[0] > 0 ? blocks : 0;
            nStepped = countOf[1] > 0 ? steps * blocks : 0;
            nAfter = countOf[2] > 0 ? blocks : 0;
            perTile = nBefore + nStepped + nAfter;
            tiles = st.tilesPerHead() * schedule.heads();
            total = perTile * tiles;
            stepWords = st.loads().stream().mapToLong(Schedule.Load::wordsPerStep).sum();
            tileWords = st.tileStartWords();
            runs = new long[works];
            effectualDone = new long[works];
            occ = st.occupancy();
            int classes = occ == null ? 2 : occ.runsOfClass().length;
            occupancyOfClass = new long[classes][];
            sharedWordsOfClass = new long[classes][][];
            postedWritesOfClass = new long[classes][];
            loadedWords = new long[st.loads().size()];
            usedYet = new boolean[units.size()];
            inFlight = st.inFlight();
            ringRank = new long[2 * inFlight + 2];
            ringDone = new long[2 * inFlight + 2];
            java.util.Arrays.fill(ringRank, -1);
            maxOpen = inFlight + 2 * blocks + 1;
            int maxLag = st.works().stream().flatMap(x -> x.overwrites().stream()).mapToInt(Schedule.Lagged::lag).max().orElse(1);
            // A step run waits for the one stepsInFlight step runs back, across a tile's last and first phases
            // (when the after phase of the tile stepsInFlight back began is kept apart, in afterBegun).
            long stepLookback = st.stepsInFlight() < inFlight ? st.stepsInFlight() + nBefore + nAfter + 1 : 0;
            afterWorks = (int) st.works().stream().filter(x -> x.phase() == Schedule.Phase.AFTER).count();
            lookback = Math.max(1, maxLag) * blocks + inFlight + 1 + stepLookback;
        }

        /** A level more than one unit reaches: its bandwidth is contended, not owned. */
        private boolean sharedLevel(StorageLevel level) {
            int reach = 0;
            for (ComputeArray u : units) {
                if (arch.pathTo(u.under()).contains(level.name())) {
                    reach++;
                }
            }
            return reach > 1;
        }

        Schedule.Phase phaseAt(long i) {
            long k = i % perTile;
            return k < nBefore ? Schedule.Phase.BEFORE : k < nBefore + nStepped ? Schedule.Phase.STEPPED : Schedule.Phase.AFTER;
        }

        /** The global chunk (tile · steps + step) a stepped instance uses. */
        long chunkOf(long i) {
            return (i / perTile) * steps + (i % perTile - nBefore) / blocks;
        }

        long run() {
            end = start;
            if (total == 0) {
                return end;
            }
            if (stepWords > 0) {
                issueChunkLoad(0, start);
                if (steps * tiles > 1) {
                    issueChunkLoad(1, start);
                }
            }
            Map<Key, Remembered> seen = new HashMap<>();
            // Tiles repeat one by one, or head by head where the occupancy differs from tile to tile.
            long tilePeriod = occ == null || occ.uniformTiles() ? 1 : occ.tilesPerHead();
            Map<Long, TileSeen> tilesSeen = new HashMap<>();
            long currentTile = -1;
            while (first < total) {
                release();
                if (first >= total) {
                    break;
                }
                long tile = first / perTile;
                if (tile != currentTile) {
                    currentTile = tile;
                    seen.clear();
                    if (options.extrapolate()) {
                        Key k = key(first, true);
                        Remembered now = remember();
                        // The state may recur a few tiles later rather than at the next (runs of two heads open
                        // at once alternate): the nearest earlier tile it equals gives the period.
                        TileSeen earlier = null;
                        long back = 0;
                        for (long j = 1; j <= TILE_PERIODS && earlier == null; j++) {
                            TileSeen t = tilesSeen.get(tile - j * tilePeriod);
                            if (t != null && k.equals(t.key())) {
                                earlier = t;
                                back = j * tilePeriod;
                            }
                        }
                        // Land where the tiles whose loads the state holds (the next, or more with several runs
                        // open) still exist: a jump credits their loads again, period by period.
                        long last = tiles - 1 - Math.max(1, tilesAhead(tile));
                        if (earlier != null && tile + back <= last) {
                            long jumps = (last - tile) / back;
                            jump(jumps, back * perTile, now.reference - earlier.state().reference, now.counters,
                                earlier.state().counters);
                            tilesSeen.clear();
                            continue;
                        }
                        long within = tilePeriod > 1 ? tilesAlikeAfter(tile) : 0;
                        TileSeen before = tilesSeen.get(tile - 1);
                        if (within >= 1 && before != null && k.equals(before.key())) {
                            // Tiles of a head that cost alike repeat one by one up to the head's last ones.
                            jump(within, perTile, now.reference - before.state().reference, now.counters,
                                before.state().counters);
                            continue;
                        }
                        tilesSeen.put(tile, new TileSeen(k, now));
                        tilesSeen.keySet().removeIf(x -> x < tile - TILE_PERIODS * tilePeriod);
                    }
                }
                long before = first;
                placeNext();
                if (options.extrapolate() && first != before && first < total && phaseAt(first) == Schedule.Phase.STEPPED
                        && rowRepeats(first)) {
                    long stepEnd = (first / perTile) * perTile + nBefore + nStepped;
                    Key k = key(first, false);
                    Remembered earlier = seen.get(k);
                    Remembered now = remember();
                    if (earlier != null && (first - earlier.first) % blocks == 0) {
                        long period = first - earlier.first;
                        long margin = lookback + inFlight + 2 * blocks;
                        long jumps = periodicRuns(earlier.first, period, (stepEnd - margin - first) / period, margin);
                        if (jumps >= 1) {
                            jump(jumps, period, now.reference - earlier.reference, now.counters, earlier.counters);
                            seen.clear();
                            continue;
                        }
                    } else {
                        if (seen.size() >= MAX_REMEMBERED) {
                            seen.clear(); // a period longer than this is not worth the memory; simulate on
                        }
                        seen.put(k, now);
                    }
                }
            }
            while (!background.isEmpty()) {
                serveOldest(); // the stage ends when its last output is written
            }
            return Math.max(end, levelFree[0]);
        }

        /**
         * How many tiles from {@code tile} on may be skipped as repeats of the tile before: every tile
         * from that one up to the landing tile's next, all in one head, costs alike (0 if none).
         */
        private long tilesAlikeAfter(long tile) {
            long inHead = tile % occ.tilesPerHead();
            if (inHead == 0 || !occ.sameTiles(inHead - 1, inHead)) {
                return 0;
            }
            long last = inHead;
            while (last + 1 < occ.tilesPerHead() && occ.sameTiles(inHead - 1, last + 1)) {
                last++;
            }
            // Land on a tile whose next is still alike: a tile's state holds the next tile's load.
            return Math.max(0, last - 1 - inHead);
        }

        /** Opens the instances that fit in the window. */
        void release() {
            while (released < total && released - first < maxOpen) {
                long i = released;
                int cls = classOf(i);
                boolean skip = !occupancyPerforms(cls);
                // A controller's step runs are sequenced by it (see ready), not held in the FIFOs.
                boolean sequenced = sequencedSteps() && phaseAt(i) == Schedule.Phase.STEPPED;
                if (!skip && !sequenced && perfReleased - firstPerf >= inFlight) {
                    break; // the FIFOs are full of performed runs
                }
                released++;
                Schedule.Phase p = phaseAt(i);
                Instance opened = new Instance(works, countOf[p.ordinal()]);
                opened.cls = cls;
                opened.skipped = skip;
                if (!skip) {
                    opened.rank = sequenced ? -1 : perfReleased++;
                    performing.add(i);
                }
                open.put(i, opened);
                if (i % perTile == 0 && tileWords > 0) {
                    long tile = i / perTile;
                    if (!tileLoaded.containsKey(tile) && !promote(tile)) {
                        // Issued when the instance enters the window, and not before the last tile's first phase.
                        long entered = opened.rank >= inFlight ? doneOfRank(opened.rank - inFlight) : start;
                        long after = tile == 0 ? start : Math.max(firstPhaseDone, entered);
                        loadTile(tile, after);
                    } else if (tileLoaded.containsKey(tile) && !prefetching(tile + 1)) {
                        prefetchAfter(tile, tileLoaded.get(tile)); // promoted, or drained in the background
                    }
                }
                if (skip) {
                    toSettle.add(i);
                }
                settleSkipped();
            }
        }

        /** When performed run {@code rank} completed (it has: the FIFO rule releases nothing before). */
        private long doneOfRank(long rank) {
            int slot = (int) (rank % ringRank.length);
            return ringRank[slot] == rank ? ringDone[slot] : Long.MIN_VALUE;
        }

        /**
         * Whether the step of stepped instance {@code i} has its blocks' classes as the step before:
         * only then can a period of whole steps start there (always, for a dense stage). Under a band
         * or causal mask the rows shift every step, and remembering states there would be wasted.
         */
        boolean rowRepeats(long i) {
            if (occ == null) {
                return true;
            }
            long k = i % perTile - nBefore;
            long step = k / blocks;
            if (step == 0) {
                return false;
            }
            long rowStart = i - k % blocks;
            for (long b = 0; b < blocks; b++) {
                if (classOf(rowStart + b) != classOf(rowStart + b - blocks)) {
                    return false;
                }
            }
            return true;
        }

        /** The occupancy's class of instance {@code i}. */
        int classOf(long i) {
            if (occ == null || phaseAt(i) != Schedule.Phase.STEPPED) {
                return Occupancy.FULL;
            }
            long k = i % perTile - nBefore;
            return occ.classAt((i / perTile) % occ.tilesPerHead(), k / blocks, k % blocks);
        }

        private boolean occupancyPerforms(int cls) {
            return occ == null || occ.performed(cls);
        }

        /**
         * The largest number of periods, up to {@code wanted}, over which every run's class repeats
         * the one a period before (always {@code wanted} for a dense stage).
         */
        long periodicRuns(long from, long period, long wanted, long margin) {
            if (occ == null || wanted <= 0) {
                return wanted;
            }
            long end = Math.min(total, first + wanted * period + margin);
            for (long x = from; x + period < end; x++) {
                if (classOf(x) != classOf(x + period)) {
                    return Math.max(0, (x + period - margin - first) / period);
                }
            }
            return wanted;
        }

        /** Open performed runs not yet complete, in order: the ones whose tasks may be placed. */
        final java.util.ArrayList<Long> performing = new java.util.ArrayList<>();
        /** Open runs below this have been forgotten. */
        long purged;
        /** The first open run when chunks and tiles were last forgotten. */
        long firstAtPurge = -1;

        /** Skipped runs that may now pass their block's state on; {@link #settleSkipped()} tries them. */
        final java.util.ArrayDeque<Long> toSettle = new java.util.ArrayDeque<>();

        /**
         * Completes the skipped runs whose state is there to pass on: a skipped run's results are its
         * block's previous step's (or its first phase's), taken once those are complete. A run is tried
         * when it opens, when the run it waits for completes and when its chunk is issued.
         */
        void settleSkipped() {
            while (!toSettle.isEmpty()) {
                long x = toSettle.poll();
                Instance in = x >= first && x < released ? open.get(x) : null;
                if (in == null || !in.skipped || in.left == 0) {
                    continue;
                }
                long k = x % perTile - nBefore;
                Instance prev = k >= blocks ? open.get(x - blocks) : null;
                long pred = predecessorInPhases(x);
                Instance pi = pred >= 0 ? open.get(pred) : null;
                if ((prev != null && prev.left > 0) || (pred >= 0 && (pi == null || pi.left > 0))
                        || (stepWords > 0 && chunks.get(chunkOf(x)) == null)) {
                    continue; // tried again when what it waits for is there
                }
                long base = pi != null ? pi.completion : start;
                for (int w = 0; w < works; w++) {
                    in.placed[w] = true;
                    in.finish[w] = prev != null ? prev.finish[w] : base;
                }
                in.completion = prev != null ? prev.completion : base;
                in.left = 0;
                complete(x, in);
            }
        }

        /** After instance {@code i} completes: the skipped run of its block at the next step may pass its state on. */
        private void wake(long i) {
            if (occ == null) {
                return;
            }
            long k = i % perTile;
            if (k < nBefore) {
                if (nStepped > 0) {
                    toSettle.add(i + nBefore); // the block's first stepped run
                }
            } else if (k < nBefore + nStepped && k - nBefore + blocks < nStepped) {
                toSettle.add(i + blocks);
            }
        }

        /** DRAM words the Einsum writes per run (its output, or a spill). */
        private static long writesAt(Estimate.EinsumEstimate each, String level) {
            return each.accesses().stream().filter(a -> a.level().equals(level)).mapToLong(Estimate.Accesses::writes).sum();
        }

        /** Effectual points of work w in a run of class {@code cls} (a work outside the steps: its dense run's). */
        private long effectualOfRun(int w, int cls) {
            Schedule.Work work = st.works().get(w);
            return work.phase() == Schedule.Phase.STEPPED ? occ.effectualOf(cls, w, work.each().points()) : work.each().points();
        }

        /** Occupancy of work w in a run of class {@code cls}: shorter where its policy skips the ineffectual points. */
        private long occupancyOf(int w, int cls) {
            if (cls == Occupancy.FULL) {
                return occupancy[w];
            }
            if (occupancyOfClass[cls] == null) {
                occupancyOfClass[cls] = new long[works];
                sharedWordsOfClass[cls] = new long[works][levels.size()];
                postedWritesOfClass[cls] = new long[works];
                for (int x = 0; x < works; x++) {
                    Schedule.Work work = st.works().get(x);
                    long eff = effectualOfRun(x, cls);
                    occupancyOfClass[cls][x] = work.runCycles(occupancy[x], eff);
                    for (int l = 0; l < levels.size(); l++) {
                        sharedWordsOfClass[cls][x][l] = work.runCycles(sharedWords[x][l], eff);
                    }
                    postedWritesOfClass[cls][x] = work.runCycles(postedWrites[x], eff);
                }
            }
            return occupancyOfClass[cls][w];
        }

        private void creditLoads(boolean perStep) {
            for (int l = 0; l < st.loads().size(); l++) {
                Schedule.Load load = st.loads().get(l);
                if (perStep && load.wordsPerStep() > 0) {
                    loadedWords[l] += load.wordsPerStep();
                } else if (!perStep && load.wordsPerStep() == 0) {
                    loadedWords[l] += load.wordsPerTile();
                }
            }
        }

        private void issueChunkLoad(long chunk, long after) {
            Chunk c = chunks.computeIfAbsent(chunk, k -> newChunk());
            long tile = chunk / steps;
            if (occ != null) {
                long firstRun = tile * perTile + nBefore + chunk % steps * blocks; // runs waiting for the chunk to exist
                for (long b = 0; b < blocks; b++) {
                    toSettle.add(firstRun + b);
                }
            }
            if (occ != null && !occ.chunkNeeded(tile % occ.tilesPerHead(), chunk % steps)) {
                c.loaded = Math.max(after, start); // no block needs it: not fetched
            } else {
                c.loaded = transfer(stepWords, after, "load chunk");
                creditLoads(true);
            }
        }

        private Chunk newChunk() {
            Chunk c = new Chunk();
            c.left = (int) blocks;
            return c;
        }

        /** A DRAM read of {@code words} no earlier than {@code after}; when its last word arrives. */
        private long transfer(long words, long after, String what) {
            StorageLevel dram = levels.getFirst();
            drainUntil(Math.max(after, start));
            long begin = Math.max(Math.max(after, start), levelFree[0]);
            long cycles = (long) Math.ceil(words / dram.bandwidthWordsPerCycle());
            levelFree[0] = begin + cycles;
            if (options.timeline() != null) {
                options.timeline().add(dram.name(), what, begin, cycles);
            }
            return begin + cycles + dram.latencyCycles();
        }

        /** Earliest start of task w of instance i, ignoring its unit; MIN_VALUE if a dependency is not placed. */
        private long ready(long i, int w, long[] window) {
            Instance in = open.get(i);
            long t = start;
            for (int d : same[w]) {
                if (!in.placed[d]) {
                    return Long.MIN_VALUE;
                }
                // A stream's first element is out of its feeder's pipeline a latency after the feeder began.
                t = Math.max(t, streamsFrom[w][d] ? in.begin[d] + latency[d] : in.finish[d]);
            }
            Schedule.Phase p = phase[w];
            long k = i % perTile;
            if (p == Schedule.Phase.STEPPED && sequencedSteps()) {
                long before = stepRunBefore(i, st.stepsInFlight());
                Instance bi = before >= 0 ? remembered(before, i) : null;
                if (before >= 0 && (bi == null || bi.left > 0)) {
                    return Long.MIN_VALUE;
                }
                if (bi != null) {
                    t = Math.max(t, bi.completion);
                }
                long tile = i / perTile - st.stepsInFlight();
                if (k == nBefore && nAfter > 0 && tile >= 0) {
                    // The tile takes over the running state the after phase of a tile stepsInFlight back has read.
                    AfterBegun a = afterBegun.get(tile);
                    if (a == null) {
                        return Long.MIN_VALUE;
                    }
                    for (int b = 0; b < blocks; b++) {
                        if (a.placed[b] < afterWorks) {
                            return Long.MIN_VALUE;
                        }
                        t = Math.max(t, a.latest[b]);
                    }
                }
            }
            if (p == Schedule.Phase.STEPPED && k - nBefore >= blocks) {
                Instance prev = open.get(i - blocks);
                for (int d : previous[w]) {
                    if (prev == null || !prev.placed[d]) {
                        return Long.MIN_VALUE;
                    }
                    t = Math.max(t, prev.finish[d]);
                }
            }
            for (int q = 0; q < overwrites[w].length; q++) {
                long back = k - nBefore - (long) overwriteLag[w][q] * blocks;
                if (p != Schedule.Phase.STEPPED || back < 0) {
                    continue;
                }
                Instance earlier = open.get(i - (long) overwriteLag[w][q] * blocks);
                int reader = overwrites[w][q];
                if (earlier == null || !earlier.placed[reader]) {
                    return Long.MIN_VALUE;
                }
                t = Math.max(t, earlier.finish[reader]);
            }
            long predecessor = predecessorInPhases(i);
            if (predecessor >= 0) {
                Instance pi = open.get(predecessor);
                if (pi == null || pi.left > 0) {
                    return Long.MIN_VALUE;
                }
                t = Math.max(t, pi.completion);
            }
            if (p == Schedule.Phase.STEPPED && stepWords > 0) {
                Chunk c = chunks.get(chunkOf(i));
                if (c == null || c.loaded == Long.MIN_VALUE) {
                    return Long.MIN_VALUE;
                }
                t = Math.max(t, c.loaded);
            }
            if (k < firstPhaseLength() && tileWords > 0) {
                Long loaded = tileLoaded.get(i / perTile);
                if (loaded == null) {
                    return Long.MIN_VALUE;
                }
                t = Math.max(t, loaded);
            }
            t = Math.max(t, serial);
            long w0 = in.rank - inFlight;
            window[0] = Long.MIN_VALUE;
            if (w0 >= 0) {
                long done = doneOfRank(w0);
                window[0] = done;
                t = Math.max(t, done);
            }
            return t;
        }

        /**
         * Whether a controller issues the step runs (stepsInFlight below inFlight): in order, that many
         * open at once, each tile's once the after phase of the tile that many back has started.
         */
        private boolean sequencedSteps() {
            return st.stepsInFlight() < inFlight;
        }

        /** Open (or completed, not yet forgotten) run {@code x}, which run {@code i} waits for; null if not yet open. */
        private Instance remembered(long x, long i) {
            Instance in = open.get(x);
            if (in == null && x < purged) {
                throw new IllegalStateException("run " + x + " was forgotten before run " + i + " read it");
            }
            return in;
        }

        /** The step run {@code back} step runs before step run {@code i} (across tiles), or -1 if none. */
        private long stepRunBefore(long i, int back) {
            long g = (i / perTile) * nStepped + i % perTile - nBefore - back;
            return g < 0 ? -1 : (g / nStepped) * perTile + nBefore + g % nStepped;
        }

        private long firstPhaseLength() {
            return nBefore > 0 ? nBefore : nStepped > 0 ? nStepped : nAfter;
        }

        /** The instance of the previous phase of the same block that must be complete first, or -1. */
        private long predecessorInPhases(long i) {
            long k = i % perTile;
            long base = i - k;
            if (k < nBefore) {
                return -1;
            }
            if (k < nBefore + nStepped) {
                return k - nBefore < blocks && nBefore > 0 ? base + (k - nBefore) : -1;
            }
            long b = k - nBefore - nStepped;
            if (nStepped > 0) {
                return base + nBefore + nStepped - blocks + b;
            }
            return nBefore > 0 ? base + b : -1;
        }

        /** Places the task that can start earliest among the open instances. */
        void placeNext() {
            long bestStart = Long.MAX_VALUE;
            long bestI = -1;
            int bestW = -1;
            long bestWindow = Long.MIN_VALUE;
            long bestReady = 0;
            long[] window = new long[1];
            for (long i : performing) {
                Instance in = open.get(i);
                Schedule.Phase p = phaseAt(i);
                for (int w = 0; w < works; w++) {
                    if (phase[w] != p || in.placed[w]) {
                        continue;
                    }
                    long r = ready(i, w, window);
                    if (r == Long.MIN_VALUE) {
                        continue;
                    }
                    // A work riding with its feeder computes in the feeder's pass: the unit is not its to wait for.
                    long s = ridesWith[w] >= 0 ? r : Math.max(r, unitFree[unitOf[w]]);
                    if (s < bestStart) {
                        bestStart = s;
                        bestI = i;
                        bestW = w;
                        bestWindow = window[0];
                        bestReady = r;
                    }
                }
            }
            if (bestI < 0) {
                throw new IllegalStateException("simulation deadlock in stage " + st.group() + " at instance " + first);
            }
            place(bestI, bestW, bestStart, bestReady, bestWindow);
        }

        private void place(long i, int w, long begin, long ready, long windowDone) {
            int u = unitOf[w];
            long gap = begin - unitFree[u];
            if (ridesWith[w] < 0 && usedYet[u] && gap > 0) {
                if (windowDone >= ready && windowDone > unitFree[u]) {
                    stallOut[u] += gap;
                } else {
                    stallIn[u] += gap;
                }
            }
            usedYet[u] = true;
            Instance placing = open.get(i);
            long occupied = occupancyOf(w, placing.cls);
            long[] wordsAt = placing.cls == Occupancy.FULL ? sharedWords[w] : sharedWordsOfClass[placing.cls][w];
            long finishCompute = begin + occupied;
            long done = finishCompute;
            for (int l = 0; l < levels.size(); l++) {
                long words = wordsAt[l];
                if (words == 0) {
                    continue;
                }
                StorageLevel level = levels.get(l);
                if (l == 0) {
                    drainUntil(begin);
                }
                long ts = Math.max(begin, levelFree[l]);
                long cycles = (long) Math.ceil(words / level.bandwidthWordsPerCycle());
                levelFree[l] = ts + cycles;
                done = Math.max(done, ts + cycles + level.latencyCycles());
                if (options.timeline() != null && cycles > 0) {
                    options.timeline().add(level.name(), st.works().get(w).einsum(), ts, cycles);
                }
            }
            long posted = placing.cls == Occupancy.FULL ? postedWrites[w] : postedWritesOfClass[placing.cls][w];
            if (posted > 0) {
                if (background.stream().filter(b -> b.tile < 0).count() >= inFlight) {
                    serveOldestWrite(); // the write queue holds a FIFO's worth of outputs
                }
                long cycles = (long) Math.ceil(posted / levels.getFirst().bandwidthWordsPerCycle());
                background.addLast(new Background(begin, cycles, -1, st.works().get(w).einsum() + " (write)"));
            }
            Instance in = open.get(i);
            for (int d = 0; d < works; d++) {
                if (streamsFrom[w][d]) {
                    done = Math.max(done, in.finish[d]); // its last element is the feeder's last
                }
            }
            if (ridesWith[w] >= 0) {
                // In the feeder's pass: the unit is held only for the elements the feeder's pass lacks.
                long extra = Math.max(0, occupied - occupancyOf(ridesWith[w], placing.cls));
                busy[u] += extra;
                if (extra > 0) {
                    unitFree[u] = Math.max(unitFree[u], finishCompute);
                }
            } else {
                busy[u] += occupied;
                stallIn[u] += done - finishCompute;
                unitFree[u] = done;
            }
            if (options.timeline() != null) {
                options.timeline().add(units.get(u).name(), st.works().get(w).einsum(), begin, occupied);
            }
            if (options.values() != null && i / perTile < st.tilesPerHead()) {
                compute(i, w);
            }
            in.placed[w] = true;
            in.begin[w] = begin;
            if (phase[w] == Schedule.Phase.AFTER && sequencedSteps()) {
                afterBegun.computeIfAbsent(i / perTile, x -> new AfterBegun((int) blocks))
                    .add((int) (i % perTile - nBefore - nStepped), begin);
            }
            in.finish[w] = done + latency[w];
            in.completion = Math.max(in.completion, in.finish[w]);
            if (!st.pipelined()) {
                serial = in.finish[w];
            }
            runs[w]++;
            if (occ != null && phase[w] == Schedule.Phase.STEPPED) {
                effectualDone[w] += effectualOfRun(w, in.cls);
            }
            simulated++;
            end = Math.max(end, in.finish[w]);
            if (--in.left == 0) {
                complete(i, in);
                settleSkipped();
            }
        }

        /** The numbers of task w of instance i (of the first head): its Einsum at its step over its block's lanes. */
        private void compute(long i, int w) {
            long k = i % perTile;
            long tile = i / perTile;
            long block;
            long step = 0;
            if (k < nBefore) {
                block = k;
            } else if (k < nBefore + nStepped) {
                block = (k - nBefore) % blocks;
                step = (k - nBefore) / blocks;
            } else {
                block = k - nBefore - nStepped;
            }
            String lane = options.values().laneRank();
            long lane0 = -1;
            long lane1 = -1;
            if (lane != null && st.block().containsKey(lane)) {
                long tileSize = st.tile().get(lane);
                lane0 = tile * tileSize + block * st.block().get(lane);
                lane1 = Math.min(Math.min(lane0 + st.block().get(lane), (tile + 1) * tileSize), schedule.sizes().get(lane));
            } else if (block > 0 || tile > 0) {
                return; // the whole Einsum was computed by the first block's task
            }
            if (occ != null && phase[w] != Schedule.Phase.BEFORE && nStepped > 0) {
                // The steps this block left out leave its recurrences as they were: carry them to here.
                long upTo = phase[w] == Schedule.Phase.STEPPED ? occ.stageStep(tile % occ.tilesPerHead(), step) : st.steps();
                long key = tile * blocks + block;
                long valid = stateStep.getOrDefault(key, 0L);
                for (long s = valid; s < upTo; s++) {
                    options.values().passThrough(s, lane0, lane1);
                }
                if (phase[w] == Schedule.Phase.STEPPED) {
                    step = upTo;
                    stateStep.put(key, upTo + 1);
                } else {
                    stateStep.put(key, Math.max(valid, upTo));
                }
            }
            options.values().run(st.works().get(w).einsum(), step, lane0, lane1);
        }

        /** Timing with values: per block of the first head, the step up to which its recurrences hold their state. */
        final Map<Long, Long> stateStep = new HashMap<>();

        private void loadTile(long tile, long after) {
            tileLoaded.put(tile, transfer(tileWords, after, "load tile"));
            creditLoads(false);
            prefetchAfter(tile, after);
        }

        /**
         * Where two tiles' inputs fit, the next tile's load goes to the background as soon as this
         * tile's is requested (into the buffer the tile before this one leaves): it takes the DRAM
         * time the foreground leaves idle, and is promoted when the next tile's first run opens.
         */
        private void prefetchAfter(long tile, long after) {
            if (st.prefetchTiles() && tile + 1 < tiles && !tileLoaded.containsKey(tile + 1) && !prefetching(tile + 1)) {
                long cycles = (long) Math.ceil(tileWords / levels.getFirst().bandwidthWordsPerCycle());
                background.addLast(new Background(Math.max(after, start), cycles, tile + 1, "load tile"));
                creditLoads(false);
            }
        }

        /** DRAM's transfers behind the foreground, oldest first: written outputs, and the next tile's inputs. */
        final java.util.ArrayDeque<Background> background = new java.util.ArrayDeque<>();

        /** How many tiles beyond {@code tile} have their inputs loaded or waiting in the background. */
        private long tilesAhead(long tile) {
            long ahead = 0;
            for (long t : tileLoaded.keySet()) {
                ahead = Math.max(ahead, t - tile);
            }
            for (Background b : background) {
                ahead = Math.max(ahead, b.tile - tile);
            }
            return ahead;
        }

        /** Whether tile {@code tile}'s inputs wait in the background. */
        private boolean prefetching(long tile) {
            return background.stream().anyMatch(b -> b.tile == tile);
        }

        /** Serves the background in DRAM's idle time before {@code t}, oldest first. */
        private void drainUntil(long t) {
            StorageLevel dram = levels.getFirst();
            while (!background.isEmpty()) {
                Background b = background.peekFirst();
                long s = Math.max(levelFree[0], b.notBefore);
                if (s >= t) {
                    return;
                }
                long d = Math.min(b.cycles, t - s);
                if (options.timeline() != null && d > 0) {
                    options.timeline().add(dram.name(), b.what, s, d);
                }
                levelFree[0] = s + d;
                b.cycles -= d;
                if (b.cycles == 0) {
                    background.pollFirst();
                    if (b.tile >= 0) {
                        tileLoaded.put(b.tile, levelFree[0] + dram.latencyCycles());
                    }
                }
            }
        }

        /** The background up to and including tile {@code tile}'s prefetch, served now (something waits for it). */
        private boolean promote(long tile) {
            if (!prefetching(tile)) {
                return false;
            }
            while (!tileLoaded.containsKey(tile)) {
                serveOldest();
            }
            return true;
        }

        /** The background up to and including its oldest write, served now. */
        private void serveOldestWrite() {
            boolean write;
            do {
                write = background.peekFirst().tile < 0;
                serveOldest();
            } while (!write);
        }

        /** The oldest background transfer, served whole from when DRAM is next free. */
        private void serveOldest() {
            Background b = background.peekFirst();
            drainUntil(Math.max(levelFree[0], b.notBefore) + b.cycles);
        }

        private void complete(long i, Instance in) {
            wake(i);
            if (!in.skipped) {
                performing.remove(Long.valueOf(i));
            }
            if (in.rank >= 0) {
                int slot = (int) (in.rank % ringRank.length);
                ringRank[slot] = in.rank;
                ringDone[slot] = in.completion;
                while (firstPerf < perfReleased && doneOfRank(firstPerf) != Long.MIN_VALUE) {
                    firstPerf++;
                }
            }
            long k = i % perTile;
            if (k == firstPhaseLength() - 1) {
                firstPhaseDone = in.completion;
                long next = i / perTile + 1;
                if (tileWords > 0 && next < tiles && !tileLoaded.containsKey(next) && !prefetching(next)) {
                    // The tile's first phase read its inputs: the next tile's take their room, if the window has
                    // not opened the next tile yet.
                    loadTile(next, firstPhaseDone);
                }
            }
            if (phaseAt(i) == Schedule.Phase.STEPPED && stepWords > 0) {
                long chunk = chunkOf(i);
                Chunk c = chunks.get(chunk);
                c.completion = Math.max(c.completion, in.completion);
                if (--c.left == 0 && chunk + 2 < steps * tiles) {
                    issueChunkLoad(chunk + 2, c.completion);
                }
            }
            while (first < released && open.get(first).left == 0) {
                first++;
            }
            while (purged < first - lookback) {
                open.remove(purged++);
            }
            if (first != firstAtPurge) { // what lies far enough behind the first open run is forgotten
                firstAtPurge = first;
                long floor = chunkFloor() - 2;
                chunks.keySet().removeIf(x -> x < floor);
                tileLoaded.keySet().removeIf(x -> x < first / perTile - 1);
                afterBegun.keySet().removeIf(x -> x < first / perTile - st.stepsInFlight());
            }
        }

        private long chunkFloor() {
            return phaseAt(Math.min(first, total - 1)) == Schedule.Phase.STEPPED ? chunkOf(Math.min(first, total - 1))
                : (first / perTile) * steps;
        }

        private Remembered remember() {
            long[] c = new long[works + units.size() * 3 + loadedWords.length + works + 1];
            c[c.length - 1] = perfReleased;
            System.arraycopy(runs, 0, c, 0, works);
            System.arraycopy(effectualDone, 0, c, works + units.size() * 3 + loadedWords.length, works);
            for (int u = 0; u < units.size(); u++) {
                c[works + 3 * u] = busy[u];
                c[works + 3 * u + 1] = stallIn[u];
                c[works + 3 * u + 2] = stallOut[u];
            }
            System.arraycopy(loadedWords, 0, c, works + units.size() * 3, loadedWords.length);
            return new Remembered(first, reference(), c);
        }

        private long reference() {
            long f = Long.MAX_VALUE;
            for (int u : stageUnits) {
                f = Math.min(f, unitFree[u]);
            }
            return f;
        }

        /**
         * Everything that decides the future, relative to the earliest free unit of the stage. Every
         * later decision takes the maximum of a stored time and a time no earlier than that unit's
         * free time (a unit's own, or a completion still to come), so stored times before it are
         * all alike and are clamped to it: then a steady state repeats exactly.
         */
        private Key key(long at, boolean atTileStart) {
            long f = reference();
            LongBuffer v = new LongBuffer();
            for (int u = 0; u < units.size(); u++) {
                v.add(stageUnits.contains(u) ? unitFree[u] - f : 0);
                v.add(usedYet[u] ? 1L : 0L);
            }
            for (long x : levelFree) {
                v.add(rel(x, f));
            }
            v.add(released - at);
            // Where in the tile: exactly at a tile boundary, the block within a step otherwise.
            v.add(atTileStart ? at % perTile : (at % perTile - nBefore) % blocks);
            for (long i = at - lookback; i < released; i++) {
                Instance in = open.get(i);
                if (in == null) {
                    v.add(-2);
                    continue;
                }
                v.add(in.left);
                v.add(rel(in.completion, f));
                for (int w = 0; w < works; w++) {
                    v.add(in.placed[w] ? rel(in.finish[w], f) : -1);
                    if (feeds[w]) { // a stream's reader starts from its feeder's begin (after phases: afterBegun)
                        v.add(in.placed[w] ? rel(in.begin[w], f) : -1);
                    }
                }
            }
            long base = chunkFloor();
            for (long c = base - 2; c <= base + 3; c++) {
                Chunk ch = chunks.get(c);
                if (ch == null) {
                    v.add(-2);
                    continue;
                }
                v.add(ch.left);
                v.add(rel(ch.loaded, f));
                v.add(rel(ch.completion, f));
            }
            long tile = at / perTile;
            for (long t = tile - 1; t <= tile + 2; t++) {
                Long l = tileLoaded.get(t);
                v.add(l == null ? -2 : rel(l, f));
            }
            if (sequencedSteps()) {
                for (long t = tile - st.stepsInFlight(); t <= tile; t++) {
                    AfterBegun a = afterBegun.get(t);
                    v.add(a == null ? -2 : 0);
                    for (int b = 0; a != null && b < blocks; b++) {
                        v.add(a.placed[b]);
                        v.add(rel(a.latest[b], f));
                    }
                }
            }
            // Idle DRAM time before f still serves the background, so its times count unclamped.
            v.add(background.size());
            v.add(background.isEmpty() ? 0 : levelFree[0] - f);
            for (Background b : background) {
                v.add(b.notBefore - f);
                v.add(b.cycles);
                v.add(b.tile < 0 ? -1 : b.tile - tile);
            }
            v.add(rel(firstPhaseDone, f));
            v.add(rel(serial, f));
            v.add(perfReleased - firstPerf);
            for (long r = perfReleased - inFlight; r < perfReleased; r++) {
                v.add(r < 0 ? -2 : rel(doneOfRank(r), f));
            }
            if (occ != null) {
                for (long x = at - lookback; x < released + lookback; x++) {
                    v.add(x < 0 || x >= total ? -3L : (long) classOf(x));
                }
            }
            return new Key(v.toArray());
        }

        private static long rel(long t, long f) {
            return t == Long.MIN_VALUE ? -1 : Math.max(0, t - f);
        }

        /** Skips {@code n} periods of {@code period} instances, each {@code dt} cycles long. */
        private void jump(long n, long period, long dt, long[] now, long[] before) {
            long shift = n * dt;
            long by = n * period;
            for (int w = 0; w < works; w++) {
                runs[w] += n * (now[w] - before[w]);
                skipped += n * (now[w] - before[w]);
            }
            for (int u = 0; u < units.size(); u++) {
                busy[u] += n * (now[works + 3 * u] - before[works + 3 * u]);
                stallIn[u] += n * (now[works + 3 * u + 1] - before[works + 3 * u + 1]);
                stallOut[u] += n * (now[works + 3 * u + 2] - before[works + 3 * u + 2]);
                if (stageUnits.contains(u)) {
                    unitFree[u] += shift;
                }
            }
            for (int l = 0; l < loadedWords.length; l++) {
                loadedWords[l] += n * (now[works + units.size() * 3 + l] - before[works + units.size() * 3 + l]);
            }
            int e0 = works + units.size() * 3 + loadedWords.length;
            for (int w = 0; w < works; w++) {
                effectualDone[w] += n * (now[e0 + w] - before[e0 + w]);
            }
            long dRank = n * (now[now.length - 1] - before[before.length - 1]);
            long[] rank = ringRank.clone();
            long[] done = ringDone.clone();
            java.util.Arrays.fill(ringRank, -1);
            for (int x = 0; x < rank.length; x++) {
                if (rank[x] >= 0) {
                    int slot = (int) ((rank[x] + dRank) % ringRank.length);
                    ringRank[slot] = rank[x] + dRank;
                    ringDone[slot] = done[x] == Long.MIN_VALUE ? done[x] : done[x] + shift;
                }
            }
            perfReleased += dRank;
            firstPerf += dRank;
            for (int l = 0; l < levelFree.length; l++) {
                levelFree[l] += shift;
            }
            HashMap<Long, Instance> moved = new HashMap<>();
            open.forEach((i, in) -> moved.put(i + by, in.shifted(shift, dRank)));
            open.clear();
            open.putAll(moved);
            long chunkBy = by / perTile * steps + (by % perTile) / blocks;
            HashMap<Long, Chunk> movedChunks = new HashMap<>();
            chunks.forEach((c, ch) -> movedChunks.put(c + chunkBy, ch.shifted(shift)));
            chunks.clear();
            chunks.putAll(movedChunks);
            HashMap<Long, Long> movedTiles = new HashMap<>();
            long tileBy = by / perTile;
            tileLoaded.forEach((t, l) -> movedTiles.put(t + tileBy, l + shift));
            tileLoaded.clear();
            tileLoaded.putAll(movedTiles);
            HashMap<Long, AfterBegun> movedAfter = new HashMap<>();
            afterBegun.forEach((t, a) -> movedAfter.put(t + tileBy, a.shifted(shift)));
            afterBegun.clear();
            afterBegun.putAll(movedAfter);
            for (Background b : background) {
                b.notBefore += shift;
                b.tile = b.tile < 0 ? b.tile : b.tile + tileBy;
            }
            if (firstPhaseDone != Long.MIN_VALUE) {
                firstPhaseDone += shift;
            }
            if (serial != Long.MIN_VALUE) {
                serial += shift;
            }
            first += by;
            released += by;
            purged += by;
            performing.replaceAll(x -> x + by);
            end += shift;
        }
    }

    private record Key(long[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }
}
