package cascade.mappings.search;

import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.model.Estimate;
import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingValidator;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Searches mappings of one Einsum onto one compute unit. A candidate splits every rank's size
 * into factors over the temporal loops of each level from the outermost down to the unit's own,
 * and over the unit's rows and columns (the fan-out sits at the level above the first one with an
 * instance per PE, or above the unit's own level where none has); it orders each level's
 * temporal loops. A {@link Constraints} may fix some factors and the innermost loops of some
 * levels (Timeloop's map-space constraints). Candidates that break a capacity or the array's
 * size are skipped before costing. How candidates are drawn is a {@link Strategy} (any implementation:
 * it walks a {@link Space}); how they are costed is a {@link CandidateModel}'s business (the
 * compiled analytical model by default). Seeded and reproducible for a given thread count.
 */
public final class Mapper {
    /** What the search minimises; {@code DELAY_THEN_ENERGY} is Timeloop's [delay, energy]: cycles first, energy to break ties. */
    public enum Objective { CYCLES, ENERGY, EDP, DELAY_THEN_ENERGY }

    /**
     * How candidates are drawn: it knows the space, not the cost. A strategy walks its share
     * ({@code worker} of {@code threads}) of the {@link Space}, offering each candidate to it;
     * the space scores it and keeps the best.
     */
    public interface Strategy {
        void walk(Space space, int worker, int threads);

        /** This worker's share of {@code total} items. */
        static long share(long total, int worker, int threads) {
            return total / threads + (worker < total % threads ? 1 : 0);
        }

        /** This worker's random stream, reproducible for a seed and a thread count. */
        static SplittableRandom random(long seed, int worker) {
            return new SplittableRandom(seed * 1_000_003L + worker);
        }
    }

    /**
     * The map space of one Einsum on one unit as a strategy sees it. A candidate is a factor per
     * rank and slot ({@code factors[rank][slot]}: a temporal loop at each level from the outermost,
     * then the array's rows, then its columns) and the order of each level's temporal loops
     * ({@code orders[level]}: rank indices, outermost first).
     */
    public interface Space {
        /** A random candidate's factors, repaired to fit the array and every level. */
        long[][] draw(SplittableRandom rnd);

        /** A random order of each level's loops. */
        int[][] shuffledOrders(long[][] factors, SplittableRandom rnd);

        /** A random move from a candidate (a prime factor to another slot, or two loops swapped), or null for none. */
        Candidate neighbour(Candidate c, SplittableRandom rnd);

        /** How many factor assignments there are; {@link #assignment} enumerates them. */
        long assignments();

        long[][] assignment(long index);

        /** Every ordering of every level's loops of these factors. */
        List<int[][]> orderings(long[][] factors);

        /** Scores a candidate (lower is better; infinity where it cannot run) and keeps it if it is among the best. */
        double offer(long[][] factors, int[][] orders);
    }

    public record Candidate(long[][] factors, int[][] orders) {
    }

    /**
     * What the map space leaves fixed. {@code temporal}: per level, factors some ranks must take
     * in its temporal loops; {@code rows}, {@code cols}: factors some ranks must take across the
     * fan-out's rows and columns; {@code innermost}: per level, ranks whose loops must be that
     * level's innermost, innermost first (the rest, outside them, are free). Unnamed: free.
     */
    public record Constraints(Map<String, Map<String, Long>> temporal, Map<String, Long> rows, Map<String, Long> cols,
                              Map<String, List<String>> innermost) {
        public static final Constraints NONE = new Constraints(Map.of(), Map.of(), Map.of(), Map.of());

        public Constraints {
            temporal = Map.copyOf(temporal);
            rows = Map.copyOf(rows);
            cols = Map.copyOf(cols);
            innermost = Map.copyOf(innermost);
        }
    }

    /**
     * Every candidate, where the space has at most {@code maxAssignments} factor assignments (each
     * with its loop orders); a larger one is refused ({@link SpaceTooLarge}) rather than walked for
     * days.
     */
    public record Exhaustive(long maxAssignments) implements Strategy {
        /** Every candidate, however many. */
        public Exhaustive() {
            this(Long.MAX_VALUE);
        }

        @Override
        public void walk(Space space, int worker, int threads) {
            if (space.assignments() > maxAssignments) {
                throw new SpaceTooLarge("every mapping is " + space.assignments() + " factor assignments, each with its "
                    + "loop orders, more than the " + maxAssignments + " an enumeration takes; sample the space instead");
            }
            for (long c = worker; c < space.assignments(); c += threads) {
                long[][] factors = space.assignment(c);
                for (int[][] orders : space.orderings(factors)) {
                    space.offer(factors, orders);
                }
            }
        }
    }

    /** An enumeration refused: the space is larger than it was allowed to be. */
    public static final class SpaceTooLarge extends IllegalArgumentException {
        public SpaceTooLarge(String message) {
            super(message);
        }
    }

    /**
     * {@code samples} random candidates: each prime factor of each rank goes to a random slot
     * (to a temporal one where the array's rows or columns would overflow), loops are shuffled,
     * and a candidate that overfills a level is repaired by moving factors outwards.
     */
    public record Random(long samples, long seed) implements Strategy {
        @Override
        public void walk(Space space, int worker, int threads) {
            SplittableRandom rnd = Strategy.random(seed, worker);
            for (long s = Strategy.share(samples, worker, threads); s > 0; s--) {
                long[][] factors = space.draw(rnd);
                space.offer(factors, space.shuffledOrders(factors, rnd));
            }
        }
    }

    /**
     * Hill climbing: from each of {@code starts} random candidates, {@code steps} moves (a prime
     * factor to another slot, or two loops of a level swapped), keeping each move that does not raise the score (sideways moves cross plateaus).
     */
    public record LocalSearch(long starts, long steps, long seed) implements Strategy {
        @Override
        public void walk(Space space, int worker, int threads) {
            SplittableRandom rnd = Strategy.random(seed, worker);
            for (long start = Strategy.share(starts, worker, threads); start > 0; start--) {
                long[][] factors = space.draw(rnd);
                Candidate at = new Candidate(factors, space.shuffledOrders(factors, rnd));
                double current = space.offer(at.factors(), at.orders());
                for (long step = 0; step < steps; step++) {
                    Candidate next = space.neighbour(at, rnd);
                    if (next == null) {
                        continue;
                    }
                    double score = space.offer(next.factors(), next.orders());
                    if (score <= current) { // sideways moves cross the plateaus of equal scores
                        current = score;
                        at = next;
                    }
                }
            }
        }
    }

    /**
     * What the mapper scores candidates with: any model of one loop nest's cycles, energy and
     * whether it fits. {@link Mapper#COMPILED} is the fast default (no allocation per candidate);
     * {@link Mapper#ANALYTICAL} costs each candidate with the full {@link AnalyticalModel}, slower
     * but the same numbers, for checking the compiled one or trying a changed model.
     */
    public interface CandidateModel {
        record Cost(long cycles, double energyPj, boolean fits) {
        }

        Cost cost(long[][] factors, int[][] orders);
    }

    /** Makes the candidate model of a mapper (its Einsum, unit, levels and ranks). */
    public interface CandidateModels {
        CandidateModel of(Mapper mapper);
    }

    public static final CandidateModels COMPILED = m -> new CompiledModel(m.einsum, m.unit, m.context.architecture(), m.ranks,
        m.levels, m.fan, m.context.resident());

    public static final CandidateModels ANALYTICAL = m -> (factors, orders) -> {
        if (!m.compiledForFit.cost(factors, orders).fits()) { // capacity is the validator's rule, not a cost
            return new CandidateModel.Cost(0, 0, false);
        }
        Estimate.EinsumEstimate e = AnalyticalModel.einsum(m.context, m.build(factors, orders));
        return new CandidateModel.Cost(e.cycles(), e.totalEnergyPj(), true);
    };

    public record Ranked(Mapping.EinsumMapping mapping, Estimate.EinsumEstimate estimate, double score) {
    }

    public record Result(List<Ranked> best, long evaluated, long skipped, double seconds) {
        public double evaluationsPerSecond() {
            return evaluated / Math.max(seconds, 1e-9);
        }
    }

    private final MappedCascade context;
    private final Einsum einsum;
    private final ComputeArray unit;
    private final List<String> levels;
    private final List<String> ranks;
    private final List<long[]> primes; // per rank: the prime factors its fixed factors leave to place
    private final long[][] fixed; // [rank][slot]: the factor the constraints fix there, 0 where free
    private final int[][] pinned; // [level]: ranks whose loops are innermost there, innermost first
    private final int fan; // the level whose children are the array's PEs
    private final Objective objective;
    private final double points; // the Einsum's computes
    private final CompiledModel compiledForFit;
    private final CandidateModel model;

    public Mapper(Cascade cascade, Map<String, Long> sizes, Architecture arch, String output, String unitName,
                  Objective objective) {
        this(cascade, sizes, arch, output, unitName, objective, Map.of());
    }

    /** A mapper for an Einsum whose {@code resident} tensors stay on chip at the given levels. */
    public Mapper(Cascade cascade, Map<String, Long> sizes, Architecture arch, String output, String unitName,
                  Objective objective, Map<String, String> resident) {
        this(cascade, sizes, arch, output, unitName, objective, resident, COMPILED);
    }

    /** A mapper that scores its candidates with {@code models}' model. */
    public Mapper(Cascade cascade, Map<String, Long> sizes, Architecture arch, String output, String unitName,
                  Objective objective, Map<String, String> resident, CandidateModels models) {
        this(cascade, sizes, arch, output, unitName, objective, resident, models, Constraints.NONE);
    }

    /** A mapper over the part of the map space {@code constraints} leave open. */
    public Mapper(Cascade cascade, Map<String, Long> sizes, Architecture arch, String output, String unitName,
                  Objective objective, Map<String, String> resident, CandidateModels models, Constraints constraints) {
        this.einsum = cascade.producer(output);
        this.unit = arch.compute(unitName);
        if (einsum == null || unit == null) {
            throw new IllegalArgumentException("no Einsum " + output + " or unit " + unitName);
        }
        for (String op : MappingValidator.requiredOps(einsum)) {
            if (!unit.supports(op) && !(op.equals("mul") && unit.supports("mac"))) {
                throw new IllegalArgumentException("unit " + unitName + " cannot run Einsum " + output + ": it lacks " + op);
            }
        }
        this.context = new MappedCascade(cascade, arch, sizes, new Mapping("search", "<mapper>", List.of()), resident);
        this.levels = arch.pathTo(unit.under());
        this.ranks = List.copyOf(einsum.iterationRanks());
        this.fan = fanoutLevel(arch, levels);
        this.fixed = fixedFactors(constraints, sizes);
        List<long[]> rest = new ArrayList<>();
        for (int k = 0; k < ranks.size(); k++) {
            long left = sizes.get(ranks.get(k));
            for (long f : fixed[k]) {
                left /= Math.max(1, f);
            }
            rest.add(primeFactors(left));
        }
        this.primes = List.copyOf(rest);
        this.pinned = new int[levels.size()][];
        for (int l = 0; l < levels.size(); l++) {
            pinned[l] = constraints.innermost().getOrDefault(levels.get(l), List.of()).stream()
                .filter(ranks::contains).mapToInt(ranks::indexOf).toArray();
        }
        for (String level : constraints.innermost().keySet()) {
            if (!levels.contains(level)) {
                throw new IllegalArgumentException("a permutation constraint on " + level + ", which is not on the path to "
                    + unitName + " (" + String.join(", ", levels) + ")");
            }
        }
        this.objective = objective;
        this.points = ranks.stream().mapToDouble(r -> sizes.get(r)).reduce(1, (a, b) -> a * b);
        this.compiledForFit = new CompiledModel(einsum, unit, arch, ranks, levels, fan, resident);
        this.model = models == COMPILED ? compiledForFit : models.of(this);
    }

    /** Slots per rank: a temporal loop at each level, then rows and columns of the fan-out. */
    private int slots() {
        return levels.size() + 2;
    }

    /**
     * The level that fans out to the array: the one above the first level of the path with
     * several instances (a PE's own storage), or, where no level has, the one above the unit's.
     */
    static int fanoutLevel(Architecture arch, List<String> path) {
        for (int l = 1; l < path.size(); l++) {
            if (arch.storage(path.get(l)).instances() > 1) {
                return l - 1;
            }
        }
        return path.size() - 2;
    }

    /** The constraints' factors as {@code [rank][slot]} (0: free), checked against the sizes and the path. */
    private long[][] fixedFactors(Constraints c, Map<String, Long> sizes) {
        long[][] f = new long[ranks.size()][slots()];
        for (var e : c.temporal().entrySet()) {
            int level = levels.indexOf(e.getKey());
            if (level < 0) {
                throw new IllegalArgumentException("a factor constraint on " + e.getKey() + ", which is not on the path to "
                    + unit.name() + " (" + String.join(", ", levels) + ")");
            }
            fix(f, level, e.getValue(), e.getKey());
        }
        if ((!c.rows().isEmpty() || !c.cols().isEmpty()) && levels.size() < 2) {
            throw new IllegalArgumentException("a spatial constraint, but " + unit.name() + " has no fan-out above it");
        }
        fix(f, levels.size(), c.rows(), "the array's rows");
        fix(f, levels.size() + 1, c.cols(), "the array's columns");
        for (int k = 0; k < ranks.size(); k++) {
            long product = 1;
            boolean open = false;
            for (long x : f[k]) {
                product = Math.multiplyExact(product, Math.max(1, x));
                open |= x == 0;
            }
            long size = sizes.get(ranks.get(k));
            if (size % product != 0 || (!open && product != size)) {
                throw new IllegalArgumentException("the constraints' factors of " + ranks.get(k) + " multiply to " + product
                    + (open ? ", which does not divide " : " with no loop left free, but ") + ranks.get(k) + " is " + size);
            }
        }
        return f;
    }

    private void fix(long[][] f, int slot, Map<String, Long> factors, String where) {
        for (var e : factors.entrySet()) {
            int k = ranks.indexOf(e.getKey());
            if (k < 0) {
                throw new IllegalArgumentException("a factor constraint on " + e.getKey() + " at " + where + ", which is not "
                    + "a rank of " + einsum.output());
            }
            f[k][slot] = e.getValue();
        }
    }

    private boolean free(int rank, int slot) {
        return fixed[rank][slot] == 0;
    }

    /** A level's loops as the constraints allow them: the pinned ranks innermost, in their order; the rest as given. */
    private int[] conform(int level, int[] loops) {
        if (pinned[level].length == 0) {
            return loops;
        }
        List<Integer> out = new ArrayList<>();
        for (int r : loops) {
            boolean isPinned = false;
            for (int p : pinned[level]) {
                isPinned |= p == r;
            }
            if (!isPinned) {
                out.add(r);
            }
        }
        for (int i = pinned[level].length - 1; i >= 0; i--) {
            for (int r : loops) {
                if (r == pinned[level][i]) {
                    out.add(r);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public Result search(Strategy strategy, int threads, int keepBest) {
        long start = System.nanoTime();
        AtomicLong evaluated = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        List<List<Ranked>> partial = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<List<Ranked>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                futures.add(pool.submit(() -> {
                    Top top = new Top(keepBest);
                    strategy.walk(new Walk(top, evaluated, skipped), worker, threads);
                    return top.sorted();
                }));
            }
            for (Future<List<Ranked>> f : futures) {
                partial.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Top merged = new Top(keepBest);
        partial.forEach(p -> p.forEach(merged::offer));
        return new Result(merged.sorted(), evaluated.get(), skipped.get(), (System.nanoTime() - start) / 1e9);
    }

    /** One worker's view of the space: its best N and the shared counters. */
    private final class Walk implements Space {
        private final Top top;
        private final AtomicLong evaluated;
        private final AtomicLong skipped;
        private List<List<long[]>> perRank;
        private long assignments = -1;

        Walk(Top top, AtomicLong evaluated, AtomicLong skipped) {
            this.top = top;
            this.evaluated = evaluated;
            this.skipped = skipped;
        }

        @Override
        public long[][] draw(SplittableRandom rnd) {
            return Mapper.this.draw(rnd);
        }

        @Override
        public int[][] shuffledOrders(long[][] factors, SplittableRandom rnd) {
            return Mapper.this.shuffledOrders(factors, rnd);
        }

        @Override
        public Candidate neighbour(Candidate c, SplittableRandom rnd) {
            long[][] f = deepCopy(c.factors());
            if (ranks.isEmpty()) {
                return null; // a scalar Einsum (G[] = max(A[], B[])) has one mapping: nothing to move
            }
            if (rnd.nextInt(3) > 0) {
                int rank = rnd.nextInt(ranks.size());
                int from = rnd.nextInt(slots());
                int to = rnd.nextInt(slots());
                long p = smallestPrime(f[rank][from]);
                if (p == 0 || from == to || !free(rank, from) || !free(rank, to)) {
                    return null;
                }
                f[rank][from] /= p;
                f[rank][to] *= p;
                repair(f, rnd);
                return new Candidate(f, keepOrders(c.orders(), f));
            }
            int[][] o = deepCopy(c.orders());
            int level = rnd.nextInt(levels.size());
            if (o[level].length < 2) {
                return null;
            }
            int i = rnd.nextInt(o[level].length);
            int j = rnd.nextInt(o[level].length);
            int x = o[level][i];
            o[level][i] = o[level][j];
            o[level][j] = x;
            o[level] = conform(level, o[level]);
            if (java.util.Arrays.equals(o[level], c.orders()[level])) {
                return null;
            }
            return new Candidate(f, o);
        }

        @Override
        public long assignments() {
            if (assignments < 0) {
                perRank = new ArrayList<>();
                for (int k = 0; k < ranks.size(); k++) {
                    perRank.add(placements(k));
                }
                long combos = 1;
                for (List<long[]> l : perRank) {
                    combos = Math.multiplyExact(combos, l.size());
                }
                assignments = combos;
            }
            return assignments;
        }

        @Override
        public long[][] assignment(long index) {
            assignments();
            long rest = index;
            long[][] factors = new long[ranks.size()][];
            for (int r = ranks.size() - 1; r >= 0; r--) {
                factors[r] = perRank.get(r).get((int) (rest % perRank.get(r).size()));
                rest /= perRank.get(r).size();
            }
            return factors;
        }

        @Override
        public List<int[][]> orderings(long[][] factors) {
            return Mapper.this.orderings(factors);
        }

        @Override
        public double offer(long[][] factors, int[][] orders) {
            return consider(factors, orders, top, evaluated, skipped);
        }
    }

    /** A random placement of every rank's prime factors, repaired to fit the array and every level. */
    private long[][] draw(SplittableRandom rnd) {
        long[][] factors = new long[ranks.size()][slots()];
        long rows = 1;
        long cols = 1;
        for (int k = 0; k < ranks.size(); k++) {
            for (int s = 0; s < slots(); s++) {
                factors[k][s] = Math.max(1, fixed[k][s]);
            }
            rows *= factors[k][levels.size()];
            cols *= factors[k][levels.size() + 1];
        }
        for (int k = 0; k < ranks.size(); k++) {
            int[] open = freeSlots(k);
            int[] openTemporal = java.util.Arrays.stream(open).filter(s -> s < levels.size()).toArray();
            for (long p : primes.get(k)) {
                int slot = open[rnd.nextInt(open.length)];
                boolean overflows = slot == levels.size() && (levels.size() < 2 || rows * p > unit.rows())
                    || slot == levels.size() + 1 && (levels.size() < 2 || cols * p > unit.cols());
                if (overflows && openTemporal.length > 0) {
                    slot = openTemporal[rnd.nextInt(openTemporal.length)];
                }
                if (slot == levels.size()) {
                    rows *= p;
                } else if (slot == levels.size() + 1) {
                    cols *= p;
                }
                factors[k][slot] *= p;
            }
        }
        repair(factors, rnd);
        return factors;
    }

    private int[] freeSlots(int rank) {
        return java.util.stream.IntStream.range(0, slots()).filter(s -> free(rank, s)).toArray();
    }

    /** While a bounded level overflows, move a prime factor from inside it to the level above it. */
    private void repair(long[][] f, SplittableRandom rnd) {
        for (int guard = 0; guard < 1_000; guard++) {
            int level = compiledForFit.innermostOverflow(f);
            if (level < 0) {
                return;
            }
            List<int[]> movable = new ArrayList<>(); // rank, slot, and the free level above it to move to
            for (int k = 0; k < ranks.size(); k++) {
                int above = level - 1;
                while (above >= 0 && !free(k, above)) {
                    above--;
                }
                for (int s = 0; s < slots(); s++) {
                    boolean inside = s < levels.size() ? s >= level : fan >= level;
                    if (inside && f[k][s] > 1 && free(k, s) && above >= 0) {
                        movable.add(new int[] {k, s, above});
                    }
                }
            }
            if (movable.isEmpty() || level == 0) {
                return; // cannot fit: consider() will skip it
            }
            int[] pick = movable.get(rnd.nextInt(movable.size()));
            long p = smallestPrime(f[pick[0]][pick[1]]);
            f[pick[0]][pick[1]] /= p;
            f[pick[0]][pick[2]] *= p;
        }
    }

    private int[][] shuffledOrders(long[][] factors, SplittableRandom rnd) {
        int[][] orders = new int[levels.size()][];
        for (int level = 0; level < levels.size(); level++) {
            int[] loops = loopsAt(factors, level);
            for (int i = loops.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int x = loops[i];
                loops[i] = loops[j];
                loops[j] = x;
            }
            orders[level] = conform(level, loops);
        }
        return orders;
    }

    /** The previous orders, with loops that became 1 dropped and loops that appeared added innermost. */
    private int[][] keepOrders(int[][] previous, long[][] f) {
        int[][] out = new int[levels.size()][];
        for (int level = 0; level < levels.size(); level++) {
            List<Integer> loops = new ArrayList<>();
            for (int rank : previous[level]) {
                if (f[rank][level] > 1) {
                    loops.add(rank);
                }
            }
            for (int rank : loopsAt(f, level)) {
                if (!loops.contains(rank)) {
                    loops.add(rank);
                }
            }
            out[level] = conform(level, loops.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    private static long smallestPrime(long n) {
        if (n <= 1) {
            return 0;
        }
        for (long d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                return d;
            }
        }
        return n;
    }

    private static long[][] deepCopy(long[][] a) {
        long[][] c = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    // ---- one candidate ----

    /** Costs one candidate and offers it to the best N; its score, or infinity when it cannot run. */
    private double consider(long[][] factors, int[][] orders, Top top, AtomicLong evaluated, AtomicLong skipped) {
        long rows = 1;
        long cols = 1;
        for (long[] f : factors) {
            rows *= f[levels.size()];
            cols *= f[levels.size() + 1];
        }
        if (rows > unit.rows() || cols > unit.cols() || (levels.size() < 2 && rows * cols > 1)) {
            skipped.incrementAndGet();
            return Double.POSITIVE_INFINITY;
        }
        CandidateModel.Cost cost = model.cost(factors, orders);
        if (!cost.fits()) {
            skipped.incrementAndGet();
            return Double.POSITIVE_INFINITY;
        }
        evaluated.incrementAndGet();
        double score = switch (objective) {
            case CYCLES -> cost.cycles();
            case ENERGY -> cost.energyPj();
            case EDP -> cost.energyPj() * cost.cycles();
            // Cycles are whole; energy per compute x, mapped into [0, 1) as x / (x + 1 pJ), breaks ties: at a million
            // cycles it tells energies apart to ~1e-8 of themselves for 0.01-100 pJ a compute. (Energy / (energy + 1 pJ)
            // rounded to 1 beside a million cycles for any real layer, and broke no tie.)
            case DELAY_THEN_ENERGY -> cost.cycles() + cost.energyPj() / (cost.energyPj() + points);
        };
        if (top.accepts(score)) { // records only for the few that enter the best N
            Mapping.EinsumMapping m = build(factors, orders);
            top.offer(new Ranked(m, AnalyticalModel.einsum(context, m), score));
        }
        return score;
    }

    /** The mapping a candidate stands for (for candidate models that cost whole mappings). */
    public Mapping.EinsumMapping mappingOf(long[][] factors, int[][] orders) {
        return build(factors, orders);
    }

    private Mapping.EinsumMapping build(long[][] factors, int[][] orders) {
        List<Mapping.LevelLoops> out = new ArrayList<>();
        for (int level = 0; level < levels.size(); level++) {
            List<Mapping.Loop> temporal = new ArrayList<>();
            for (int rank : orders[level]) {
                temporal.add(new Mapping.Loop(lower(ranks.get(rank)), factors[rank][level], null));
            }
            List<Mapping.Loop> rows = new ArrayList<>();
            List<Mapping.Loop> cols = new ArrayList<>();
            if (level == fan) { // the fan-out
                for (int k = 0; k < ranks.size(); k++) {
                    if (factors[k][levels.size()] > 1) {
                        rows.add(new Mapping.Loop(lower(ranks.get(k)), factors[k][levels.size()], null));
                    }
                    if (factors[k][levels.size() + 1] > 1) {
                        cols.add(new Mapping.Loop(lower(ranks.get(k)), factors[k][levels.size() + 1], null));
                    }
                }
            }
            out.add(new Mapping.LevelLoops(levels.get(level), temporal, rows, cols, null, null));
        }
        return new Mapping.EinsumMapping(einsum.output(), unit.name(), out, null, null);
    }

    /** The ranks (indices) with a factor above 1 at a level, in rank order. */
    private int[] loopsAt(long[][] factors, int level) {
        int n = 0;
        for (long[] f : factors) {
            n += f[level] > 1 ? 1 : 0;
        }
        int[] loops = new int[n];
        int at = 0;
        for (int k = 0; k < factors.length; k++) {
            if (factors[k][level] > 1) {
                loops[at++] = k;
            }
        }
        return loops;
    }

    /** Every ordering of every level's loops (loops of factor 1 do not matter and are left out). */
    private List<int[][]> orderings(long[][] factors) {
        List<int[][]> all = new ArrayList<>();
        all.add(new int[0][]);
        for (int level = 0; level < levels.size(); level++) {
            java.util.Map<String, int[]> distinct = new java.util.LinkedHashMap<>();
            for (int[] p : permutations(loopsAt(factors, level))) {
                int[] c = conform(level, p);
                distinct.putIfAbsent(java.util.Arrays.toString(c), c);
            }
            List<int[]> perms = List.copyOf(distinct.values());
            List<int[][]> next = new ArrayList<>();
            for (int[][] prefix : all) {
                for (int[] p : perms) {
                    int[][] extended = java.util.Arrays.copyOf(prefix, prefix.length + 1);
                    extended[prefix.length] = p;
                    next.add(extended);
                }
            }
            all = next;
        }
        return all;
    }

    private static List<int[]> permutations(int[] items) {
        if (items.length <= 1) {
            return List.of(items);
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            int[] rest = new int[items.length - 1];
            for (int j = 0, k = 0; j < items.length; j++) {
                if (j != i) {
                    rest[k++] = items[j];
                }
            }
            for (int[] tail : permutations(rest)) {
                int[] p = new int[items.length];
                p[0] = items[i];
                System.arraycopy(tail, 0, p, 1, tail.length);
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Every way to spread a rank's free prime factors over its free slots, as factor vectors (no
     * duplicates), leaving out spreads along the array's rows or columns wider than the array.
     */
    private List<long[]> placements(int rank) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<long[]> out = new ArrayList<>();
        place(rank, primes.get(rank), 0, fixed[rank].clone(), seen, out);
        return out;
    }

    private void place(int rank, long[] p, int at, long[] current, java.util.Set<String> seen, List<long[]> out) {
        if (at == p.length) {
            long[] copy = current.clone();
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] == 0) {
                    copy[i] = 1;
                }
            }
            if (seen.add(java.util.Arrays.toString(copy))) {
                out.add(copy);
            }
            return;
        }
        for (int s : freeSlots(rank)) {
            long before = current[s];
            long across = s == levels.size() ? unit.rows() : s == levels.size() + 1 ? unit.cols() : Long.MAX_VALUE;
            if (s >= levels.size() && (levels.size() < 2 || Math.max(1, before) * p[at] > across)) {
                continue; // more PEs along an axis than the array has: every such candidate would be refused
            }
            current[s] = (before == 0 ? 1 : before) * p[at];
            place(rank, p, at + 1, current, seen, out);
            current[s] = before;
        }
    }

    private static long[] primeFactors(long n) {
        List<Long> f = new ArrayList<>();
        for (long d = 2; d * d <= n; d++) {
            while (n % d == 0) {
                f.add(d);
                n /= d;
            }
        }
        if (n > 1) {
            f.add(n);
        }
        return f.stream().mapToLong(Long::longValue).toArray();
    }

    private static String lower(String rank) {
        return rank.toLowerCase(Locale.ROOT);
    }

    /** The best N by score, ties broken by the order found (deterministic per worker). */
    private static final class Top {
        private final int keep;
        private final PriorityQueue<Ranked> worst = new PriorityQueue<>(Comparator.comparingDouble(Ranked::score).reversed());

        Top(int keep) {
            this.keep = keep;
        }

        boolean accepts(double score) {
            return worst.size() < keep || score < worst.peek().score();
        }

        void offer(Ranked r) {
            if (worst.size() < keep) {
                worst.add(r);
            } else if (r.score() < worst.peek().score()) {
                worst.poll();
                worst.add(r);
            }
        }

        List<Ranked> sorted() {
            List<Ranked> out = new ArrayList<>(worst);
            out.sort(Comparator.comparingDouble(Ranked::score));
            return out;
        }
    }
}
