package cascade.mappings;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
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
 * and over the unit's rows and columns (the fan-out sits at the level above the unit's); it
 * orders each level's temporal loops. Candidates that break a capacity or the array's size are
 * skipped before costing. How candidates are drawn is a {@link Strategy}; how they are costed is
 * the {@link CostModel}'s business. Seeded and reproducible for a given thread count.
 */
public final class Mapper {
    public enum Objective { CYCLES, ENERGY, EDP }

    /** How candidates are drawn: it knows the space, not the cost. */
    public sealed interface Strategy permits Exhaustive, Random {
    }

    /** Every candidate (use where the space is small). */
    public record Exhaustive() implements Strategy {
    }

    /** {@code samples} candidates drawn uniformly per rank factorisation and loop order. */
    public record Random(long samples, long seed) implements Strategy {
    }

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
    private final List<long[]> primes;
    private final Objective objective;

    public Mapper(Cascade cascade, Map<String, Long> sizes, Architecture arch, String output, String unitName,
                  Objective objective) {
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
        this.context = new MappedCascade(cascade, arch, sizes, new Mapping("search", "<mapper>", List.of()));
        List<String> order = arch.storage().stream().map(StorageLevel::name).toList();
        this.levels = order.subList(0, order.indexOf(unit.under()) + 1);
        this.ranks = List.copyOf(einsum.iterationRanks());
        this.primes = ranks.stream().map(r -> primeFactors(sizes.get(r))).toList();
        this.objective = objective;
    }

    /** Slots per rank: a temporal loop at each level, then rows and columns of the fan-out. */
    private int slots() {
        return levels.size() + 2;
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
                    switch (strategy) {
                        case Exhaustive x -> exhaustive(worker, threads, top, evaluated, skipped);
                        case Random r -> random(r, worker, threads, top, evaluated, skipped);
                    }
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
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Top merged = new Top(keepBest);
        partial.forEach(p -> p.forEach(merged::offer));
        return new Result(merged.sorted(), evaluated.get(), skipped.get(), (System.nanoTime() - start) / 1e9);
    }

    // ---- strategies ----

    private void exhaustive(int worker, int threads, Top top, AtomicLong evaluated, AtomicLong skipped) {
        List<List<long[]>> perRank = new ArrayList<>();
        for (long[] p : primes) {
            perRank.add(placements(p));
        }
        long combos = 1;
        for (List<long[]> l : perRank) {
            combos = Math.multiplyExact(combos, l.size());
        }
        for (long c = worker; c < combos; c += threads) {
            long rest = c;
            long[][] factors = new long[ranks.size()][];
            for (int r = ranks.size() - 1; r >= 0; r--) {
                factors[r] = perRank.get(r).get((int) (rest % perRank.get(r).size()));
                rest /= perRank.get(r).size();
            }
            for (List<List<String>> orders : orderings(factors)) {
                consider(factors, orders, top, evaluated, skipped);
            }
        }
    }

    private void random(Random r, int worker, int threads, Top top, AtomicLong evaluated, AtomicLong skipped) {
        SplittableRandom rnd = new SplittableRandom(r.seed() * 1_000_003L + worker);
        long mine = r.samples() / threads + (worker < r.samples() % threads ? 1 : 0);
        for (long s = 0; s < mine; s++) {
            long[][] factors = new long[ranks.size()][];
            for (int k = 0; k < ranks.size(); k++) {
                factors[k] = new long[slots()];
                java.util.Arrays.fill(factors[k], 1);
                for (long p : primes.get(k)) {
                    factors[k][rnd.nextInt(slots())] *= p;
                }
            }
            List<List<String>> orders = new ArrayList<>();
            for (int level = 0; level < levels.size(); level++) {
                List<String> loops = loopsAt(factors, level);
                for (int i = loops.size() - 1; i > 0; i--) {
                    java.util.Collections.swap(loops, i, rnd.nextInt(i + 1));
                }
                orders.add(loops);
            }
            consider(factors, orders, top, evaluated, skipped);
        }
    }

    // ---- one candidate ----

    private void consider(long[][] factors, List<List<String>> orders, Top top, AtomicLong evaluated,
                          AtomicLong skipped) {
        long rows = 1;
        long cols = 1;
        for (long[] f : factors) {
            rows *= f[levels.size()];
            cols *= f[levels.size() + 1];
        }
        if (rows > unit.rows() || cols > unit.cols() || (levels.size() < 2 && rows * cols > 1)) {
            skipped.incrementAndGet();
            return;
        }
        Mapping.EinsumMapping m = build(factors, orders);
        if (!fits(m)) {
            skipped.incrementAndGet();
            return;
        }
        Estimate.EinsumEstimate e = AnalyticalModel.einsum(context, m);
        evaluated.incrementAndGet();
        top.offer(new Ranked(m, e, score(e)));
    }

    private double score(Estimate.EinsumEstimate e) {
        double energy = e.energyPj().values().stream().mapToDouble(Double::doubleValue).sum();
        return switch (objective) {
            case CYCLES -> e.cycles();
            case ENERGY -> energy;
            case EDP -> energy * e.cycles();
        };
    }

    private Mapping.EinsumMapping build(long[][] factors, List<List<String>> orders) {
        List<Mapping.LevelLoops> out = new ArrayList<>();
        for (int level = 0; level < levels.size(); level++) {
            List<Mapping.Loop> temporal = new ArrayList<>();
            for (String rank : orders.get(level)) {
                temporal.add(new Mapping.Loop(lower(rank), factors[ranks.indexOf(rank)][level], null));
            }
            List<Mapping.Loop> rows = new ArrayList<>();
            List<Mapping.Loop> cols = new ArrayList<>();
            if (level == levels.size() - 2) { // the fan-out: the level above the unit's own
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

    /** Every level holds the tiles of all the Einsum's tensors within its capacity. */
    private boolean fits(Mapping.EinsumMapping m) {
        Map<String, java.util.Set<String>> tensors = new LinkedHashMap<>();
        einsum.body().accesses(a -> a.ranks(tensors.computeIfAbsent(a.tensor(), k -> new java.util.LinkedHashSet<>())));
        tensors.put(einsum.output(), new java.util.LinkedHashSet<>(einsum.outputRanks()));
        for (int i = 0; i < m.levels().size(); i++) {
            StorageLevel level = context.architecture().storage(m.levels().get(i).level());
            if (level.unbounded()) {
                continue;
            }
            long words = 0;
            for (var t : tensors.values()) {
                long tile = 1;
                for (Mapping.LevelLoops inner : m.levels().subList(i, m.levels().size())) {
                    for (List<Mapping.Loop> loops : List.of(inner.temporal(), inner.spatialRows(), inner.spatialCols())) {
                        for (Mapping.Loop loop : loops) {
                            if (t.contains(loop.rank().toUpperCase(Locale.ROOT))) {
                                tile *= loop.factor();
                            }
                        }
                    }
                }
                words += tile;
            }
            if (words > level.capacityWords()) {
                return false;
            }
        }
        return true;
    }

    /** The ranks with a factor above 1 at a level, in rank order. */
    private List<String> loopsAt(long[][] factors, int level) {
        List<String> loops = new ArrayList<>();
        for (int k = 0; k < ranks.size(); k++) {
            if (factors[k][level] > 1) {
                loops.add(ranks.get(k));
            }
        }
        return loops;
    }

    /** Every ordering of every level's loops (loops of factor 1 do not matter and are left out). */
    private List<List<List<String>>> orderings(long[][] factors) {
        List<List<List<String>>> all = new ArrayList<>();
        all.add(new ArrayList<>());
        for (int level = 0; level < levels.size(); level++) {
            List<List<String>> perms = permutations(loopsAt(factors, level));
            List<List<List<String>>> next = new ArrayList<>();
            for (List<List<String>> prefix : all) {
                for (List<String> p : perms) {
                    List<List<String>> extended = new ArrayList<>(prefix);
                    extended.add(p);
                    next.add(extended);
                }
            }
            all = next;
        }
        return all;
    }

    private static List<List<String>> permutations(List<String> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<String> rest = new ArrayList<>(items);
            String head = rest.remove(i);
            for (List<String> tail : permutations(rest)) {
                List<String> p = new ArrayList<>();
                p.add(head);
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }

    /** Every way to spread a rank's prime factors over the slots, as factor vectors (no duplicates). */
    private List<long[]> placements(long[] rankPrimes) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<long[]> out = new ArrayList<>();
        place(rankPrimes, 0, new long[slots()], seen, out);
        return out;
    }

    private void place(long[] p, int at, long[] current, java.util.Set<String> seen, List<long[]> out) {
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
        for (int s = 0; s < current.length; s++) {
            long before = current[s];
            current[s] = (before == 0 ? 1 : before) * p[at];
            place(p, at + 1, current, seen, out);
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
