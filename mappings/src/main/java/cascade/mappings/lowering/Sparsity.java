package cascade.mappings.lowering;

import cascade.einsum.Cascade;
import cascade.einsum.ConstExpr;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import cascade.einsum.SourcePos;
import cascade.einsum.analysis.Effectual;
import cascade.mappings.spec.SparsityPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effectual work of a design's cascade at one workload, as the lowering charges it: the
 * {@link Effectual} analysis, plus the padding of a length that is not a multiple of its chunk or
 * block (the padded points are ineffectual: {@code m < M} for the real M), counted per run.
 */
final class Sparsity {
    private static final SourcePos PADDING = new SourcePos("padding", 1, 1);

    private final Cascade cascade;
    private final Effectual effect;
    private final Map<String, Long> sizes;
    /** Ranks whose iterated extent exceeds the real size, and that size. */
    private final Map<String, Long> padded;
    private final Map<String, Predicate> predicates = new HashMap<>();

    private Sparsity(Cascade cascade, Map<String, Long> sizes, Map<String, Long> padded) {
        this.cascade = cascade;
        this.effect = Effectual.of(cascade);
        this.sizes = sizes;
        this.padded = padded;
    }

    /**
     * The bindings with every partitioned rank rounded up to a whole number of its fixed parts
     * (1000 keys in chunks of 256 iterate as 4 chunks), and what the rounding padded.
     */
    static Sparsity of(Cascade c, Map<String, Long> bindings, Map<String, Long> roundedInto) {
        roundedInto.putAll(bindings);
        Map<String, Long> padded = new LinkedHashMap<>();
        for (Partition p : c.partitions()) {
            Long whole = bindings.get(p.whole());
            if (whole == null) {
                continue;
            }
            long fixed = 1;
            int free = 0;
            for (String part : p.parts()) {
                Long size = bindings.containsKey(part) ? bindings.get(part) : c.ranks().get(part).defaultSize();
                if (size == null) {
                    free++;
                } else {
                    fixed = Math.multiplyExact(fixed, size);
                }
            }
            if (free == 1 && whole % fixed != 0) {
                roundedInto.put(p.whole(), (whole / fixed + 1) * fixed);
                padded.put(p.whole(), whole);
            }
        }
        return new Sparsity(c, c.sizes(roundedInto), padded);
    }

    Map<String, Long> sizes() {
        return sizes;
    }

    /** Also pads {@code rank}, whose blocks or tiles cover more than its {@code size}. */
    void padBlocks(String rank, long covered) {
        long size = sizes.get(rank);
        if (covered > size && !padded.containsKey(rank)) {
            padded.put(rank, size);
            predicates.clear();
        }
    }

    /** The effectual points of {@code einsum} (its mask, the algebra's nulls, the padding); null where all are. */
    Predicate of(String einsum) {
        if (!predicates.containsKey(einsum)) { // a null (every point effectual) is remembered too
            Predicate p = effect.where(einsum);
            List<String> ranks = Effectual.countedRanks(cascade.producer(einsum));
            for (var pad : padded.entrySet()) {
                if (iteratesAll(ranks, pad.getKey())) {
                    Predicate inside = new Predicate.Compare(new Index.Affine(List.of(new Index.Term(1, pad.getKey())), null,
                        PADDING), Predicate.CmpOp.LT, new Index.Affine(List.of(), new ConstExpr.Num(pad.getValue(), PADDING),
                        PADDING), PADDING);
                    p = p == null ? inside : new Predicate.And(p, inside, PADDING);
                }
            }
            predicates.put(einsum, p);
        }
        return predicates.get(einsum);
    }

    /** Whether {@code ranks} iterate {@code rank} itself or all of its parts. */
    private boolean iteratesAll(List<String> ranks, String rank) {
        if (ranks.contains(rank)) {
            return true;
        }
        for (Partition p : cascade.partitions()) {
            if (p.whole().equals(rank)) {
                return ranks.containsAll(p.parts());
            }
        }
        return false;
    }

    /** Effectual points of {@code einsum} over every run of a head ({@code densePerHead} where nothing is ineffectual). */
    long perHead(String einsum, long densePerHead) {
        Predicate p = of(einsum);
        if (p == null) {
            return densePerHead;
        }
        boolean[] exact = {true};
        long n = effect.count(p, Effectual.countedRanks(cascade.producer(einsum)), sizes, Map.of(), Map.of(), exact);
        return Math.min(n, densePerHead);
    }

    /**
     * The occupancy of a stepped stage: per tile of a head, step and block, which class of run it is,
     * or null where none of its stepped works has an ineffectual point.
     */
    Occupancy occupancy(List<Schedule.Work> works, String stepRank, Map<String, Long> tile,
                        Map<String, Long> block, Map<String, Long> stepSizes, long tilesPerHead, long blocks, long steps) {
        int n = works.size();
        Predicate[] pred = new Predicate[n];
        List<String>[] involved = newLists(n);
        long[] freeMultiplier = new long[n];
        long[] boxPoints = new long[n];
        boolean any = false;
        for (int w = 0; w < n; w++) {
            Schedule.Work work = works.get(w);
            if (work.phase() != Schedule.Phase.STEPPED) {
                continue;
            }
            pred[w] = of(work.einsum());
            if (pred[w] == null) {
                continue;
            }
            any = true;
            List<String> ranks = Effectual.countedRanks(cascade.producer(work.einsum()));
            involved[w] = effect.involved(pred[w], ranks);
            freeMultiplier[w] = 1;
            boxPoints[w] = 1;
            for (String r : ranks) {
                if (involved[w].contains(r)) {
                    boxPoints[w] = Math.multiplyExact(boxPoints[w], stepSizes.get(r));
                } else {
                    freeMultiplier[w] = Math.multiplyExact(freeMultiplier[w], stepSizes.get(r));
                }
            }
        }
        if (!any) {
            return null;
        }
        boolean skipsEmpty = works.stream().noneMatch(w -> w.policy() == SparsityPolicy.DENSE);
        long cells = Math.multiplyExact(Math.multiplyExact(tilesPerHead, steps), blocks);
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many runs per head to classify (" + cells + ")");
        }
        short[] classOf = new short[(int) cells];
        boolean[] anyNeeded = new boolean[Math.toIntExact(tilesPerHead * steps)];
        List<long[]> effectual = new ArrayList<>();
        effectual.add(new long[n]);
        effectual.add(new long[n]);
        Map<List<Long>, Short> classes = new HashMap<>();
        List<String> tileRanks = new ArrayList<>(tile.keySet());
        List<String> blockRanks = new ArrayList<>(block.keySet());
        Map<String, Long> lo = new LinkedHashMap<>();
        long[] perClass = new long[Short.MAX_VALUE];
        Run run = new Run(works, pred, involved, freeMultiplier, boxPoints, stepSizes, effectual, classes);
        String bisected = blockRanks.size() == 1 ? blockRanks.getFirst() : null;
        for (long t = 0; t < tilesPerHead; t++) {
            Map<String, Long> tileLo = new LinkedHashMap<>();
            long rest = t;
            for (int k = tileRanks.size() - 1; k >= 0; k--) {
                String r = tileRanks.get(k);
                long count = (sizes.get(r) + tile.get(r) - 1) / tile.get(r);
                tileLo.put(r, rest % count * tile.get(r));
                rest /= count;
            }
            if (bisected != null) {
                // One block rank: a rectangle of steps and blocks all masked or all kept is settled at once.
                classifyRect(run, bisected, tileLo.getOrDefault(bisected, 0L), block.get(bisected), stepRank, t * steps,
                    blocks, 0, steps, 0, blocks, classOf);
            }
            for (long s = 0; s < steps; s++) {
                long row = (t * steps + s) * blocks;
                if (bisected == null) {
                    for (long b = 0; b < blocks; b++) {
                        lo.clear();
                        long brest = b;
                        for (int k = blockRanks.size() - 1; k >= 0; k--) {
                            String r = blockRanks.get(k);
                            long inTile = tile.getOrDefault(r, sizes.get(r));
                            long count = (inTile + block.get(r) - 1) / block.get(r);
                            lo.put(r, tileLo.getOrDefault(r, 0L) + brest % count * block.get(r));
                            brest /= count;
                        }
                        lo.put(stepRank, s);
                        classOf[Math.toIntExact(row + b)] = run.classOf(lo);
                    }
                }
                for (long b = 0; b < blocks; b++) {
                    short cls = classOf[Math.toIntExact(row + b)];
                    perClass[cls]++;
                    if (cls != Occupancy.EMPTY) {
                        anyNeeded[Math.toIntExact(t * steps + s)] = true;
                    }
                }
            }
        }
        long kept = steps;
        int[] realStep;
        if (skipsEmpty) {
            // Steps no block of a tile needs are left out; tiles are padded to the most any needs.
            kept = 1;
            for (long t = 0; t < tilesPerHead; t++) {
                long n2 = 0;
                for (long st = 0; st < steps; st++) {
                    n2 += anyNeeded[Math.toIntExact(t * steps + st)] ? 1 : 0;
                }
                kept = Math.max(kept, n2);
            }
            short[] compact = new short[Math.toIntExact(tilesPerHead * kept * blocks)];
            boolean[] compactNeeded = new boolean[Math.toIntExact(tilesPerHead * kept)];
            realStep = new int[Math.toIntExact(tilesPerHead * kept)];
            java.util.Arrays.fill(realStep, -1);
            for (long t = 0; t < tilesPerHead; t++) {
                long at = 0;
                for (long st = 0; st < steps; st++) {
                    if (!anyNeeded[Math.toIntExact(t * steps + st)]) {
                        continue;
                    }
                    System.arraycopy(classOf, Math.toIntExact((t * steps + st) * blocks), compact,
                        Math.toIntExact((t * kept + at) * blocks), Math.toIntExact(blocks));
                    compactNeeded[Math.toIntExact(t * kept + at)] = true;
                    realStep[Math.toIntExact(t * kept + at)] = Math.toIntExact(st);
                    at++;
                }
            }
            perClass[Occupancy.EMPTY] -= tilesPerHead * steps * blocks - compact.length;
            classOf = compact;
            anyNeeded = compactNeeded;
        } else {
            realStep = new int[Math.toIntExact(tilesPerHead * steps)];
            for (int i = 0; i < realStep.length; i++) {
                realStep[i] = (int) (i % steps);
            }
        }
        boolean uniform = true;
        int perTile = Math.toIntExact(kept * blocks);
        for (int i = perTile; i < classOf.length && uniform; i++) {
            uniform = classOf[i] == classOf[i % perTile];
        }
        return new Occupancy(skipsEmpty, tilesPerHead, kept, blocks, classOf, effectual.toArray(long[][]::new),
            java.util.Arrays.copyOf(perClass, effectual.size()), anyNeeded, uniform, realStep);
    }

    /**
     * Classifies steps [s0, s1) × blocks [b0, b1) of a tile whose first step's row starts at
     * {@code firstRow}: splits the longer side while the rectangle is neither all masked nor all kept.
     */
    private void classifyRect(Run run, String rank, long tileLo, long blockSize, String stepRank, long firstRow,
                              long blocks, long s0, long s1, long b0, long b1, short[] classOf) {
        Map<String, Long> lo = new LinkedHashMap<>();
        lo.put(rank, tileLo + b0 * blockSize);
        lo.put(stepRank, s0);
        if (s1 - s0 > 1 || b1 - b0 > 1) {
            Effectual.Coverage c = run.coverage(lo, rank, (b1 - b0) * blockSize, stepRank, s1 - s0);
            if (c != Effectual.Coverage.SOME) {
                for (long s = s0; s < s1; s++) {
                    long row = (firstRow + s) * blocks;
                    java.util.Arrays.fill(classOf, Math.toIntExact(row + b0), Math.toIntExact(row + b1),
                        c == Effectual.Coverage.NONE ? Occupancy.EMPTY : Occupancy.FULL);
                }
                return;
            }
            if (s1 - s0 >= b1 - b0) {
                long mid = (s0 + s1) / 2;
                classifyRect(run, rank, tileLo, blockSize, stepRank, firstRow, blocks, s0, mid, b0, b1, classOf);
                classifyRect(run, rank, tileLo, blockSize, stepRank, firstRow, blocks, mid, s1, b0, b1, classOf);
            } else {
                long mid = (b0 + b1) / 2;
                classifyRect(run, rank, tileLo, blockSize, stepRank, firstRow, blocks, s0, s1, b0, mid, classOf);
                classifyRect(run, rank, tileLo, blockSize, stepRank, firstRow, blocks, s0, s1, mid, b1, classOf);
            }
            return;
        }
        classOf[Math.toIntExact((firstRow + s0) * blocks + b0)] = run.classOf(lo);
    }

    /** The classification of single runs and ranges of them, over a stage's sparse works. */
    private final class Run {
        final List<Schedule.Work> works;
        final Predicate[] pred;
        final List<String>[] involved;
        final long[] freeMultiplier;
        final long[] boxPoints;
        final Map<String, Long> stepSizes;
        final List<long[]> effectual;
        final Map<List<Long>, Short> classes;
        /** Works whose predicate and ranks are one another's share a group: counted once per run. */
        final int[] group;
        final int[] groupLeader;
        final List<Map<List<Long>, Long>> counts = new ArrayList<>();
        final Map<String, Long> extent;

        Run(List<Schedule.Work> works, Predicate[] pred, List<String>[] involved, long[] freeMultiplier, long[] boxPoints,
            Map<String, Long> stepSizes, List<long[]> effectual, Map<List<Long>, Short> classes) {
            this.works = works;
            this.pred = pred;
            this.involved = involved;
            this.freeMultiplier = freeMultiplier;
            this.boxPoints = boxPoints;
            this.stepSizes = stepSizes;
            this.effectual = effectual;
            this.classes = classes;
            this.extent = new LinkedHashMap<>(stepSizes);
            group = new int[pred.length];
            List<Integer> leaders = new ArrayList<>();
            for (int w = 0; w < pred.length; w++) {
                group[w] = -1;
                if (pred[w] == null) {
                    continue;
                }
                for (int g = 0; g < leaders.size() && group[w] < 0; g++) {
                    int l = leaders.get(g);
                    if (pred[l] == pred[w] && involved[l].equals(involved[w])) {
                        group[w] = g;
                    }
                }
                if (group[w] < 0) {
                    group[w] = leaders.size();
                    leaders.add(w);
                    counts.add(new HashMap<>());
                }
            }
            groupLeader = leaders.stream().mapToInt(Integer::intValue).toArray();
        }

        /** NONE if every sparse work keeps nothing of the range, ALL if every one keeps all of it, else SOME. */
        Effectual.Coverage coverage(Map<String, Long> lo, String rank, long extentOfRank, String stepRank, long stepsOf) {
            extent.put(rank, extentOfRank);
            extent.put(stepRank, stepsOf);
            boolean none = true;
            boolean all = true;
            for (int w : groupLeader) {
                Effectual.Coverage c = effect.coverage(pred[w], involved[w], sizes, lo, extent);
                none &= c == Effectual.Coverage.NONE;
                all &= c == Effectual.Coverage.ALL;
                if (!none && !all) {
                    break;
                }
            }
            extent.put(rank, stepSizes.get(rank));
            extent.put(stepRank, stepSizes.get(stepRank));
            return none ? Effectual.Coverage.NONE : all ? Effectual.Coverage.ALL : Effectual.Coverage.SOME;
        }

        /** The class of the run whose box starts at {@code lo}. */
        short classOf(Map<String, Long> lo) {
            int n = works.size();
            long[] kept = new long[groupLeader.length];
            boolean none = true;
            boolean all = true;
            for (int g = 0; g < groupLeader.length; g++) {
                int x = groupLeader[g];
                kept[g] = switch (effect.coverage(pred[x], involved[x], sizes, lo, stepSizes)) {
                    case NONE -> 0L;
                    case ALL -> boxPoints[x];
                    case SOME -> effect.countShared(pred[x], involved[x], sizes, lo, stepSizes, counts.get(g));
                };
                none &= kept[g] == 0;
                all &= kept[g] == boxPoints[x];
            }
            if (none) {
                return Occupancy.EMPTY;
            }
            if (all) {
                return Occupancy.FULL;
            }
            long[] eff = new long[n];
            for (int w = 0; w < n; w++) {
                eff[w] = group[w] < 0 ? works.get(w).each().points() : kept[group[w]] * freeMultiplier[w];
            }
            List<Long> key = new ArrayList<>(n);
            for (long x : eff) {
                key.add(x);
            }
            Short known = classes.get(key);
            if (known == null) {
                if (effectual.size() >= Short.MAX_VALUE) {
                    throw new IllegalArgumentException("more than " + Short.MAX_VALUE
                        + " distinct partly effectual runs in one stage");
                }
                known = (short) effectual.size();
                classes.put(key, known);
                effectual.add(eff);
            }
            return known;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String>[] newLists(int n) {
        return (List<String>[]) new List<?>[n];
    }
}
