package cascade.mappings.lowering;

import cascade.einsum.Cascade;
import cascade.einsum.ConstExpr;
import cascade.einsum.Einsum;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import cascade.einsum.SourcePos;
import cascade.einsum.analysis.Effectual;
import cascade.mappings.spec.Design;
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
        Predicate found = predicates.computeIfAbsent(einsum, e -> {
            Einsum x = cascade.producer(e);
            Predicate p = effect.where(e);
            List<String> ranks = Effectual.countedRanks(x);
            for (var pad : padded.entrySet()) {
                if (iteratesAll(ranks, pad.getKey())) {
                    Predicate inside = new Predicate.Compare(new Index.Affine(List.of(new Index.Term(1, pad.getKey())), null,
                        PADDING), Predicate.CmpOp.LT, new Index.Affine(List.of(), new ConstExpr.Num(pad.getValue(), PADDING),
                        PADDING), PADDING);
                    p = p == null ? inside : new Predicate.And(p, inside, PADDING);
                }
            }
            return p == null ? NONE : p;
        });
        return found == NONE ? null : found;
    }

    private static final Predicate NONE = new Predicate.Compare(new Index.Affine(List.of(), null, PADDING),
        Predicate.CmpOp.EQ, new Index.Affine(List.of(), null, PADDING), PADDING);

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
    Occupancy occupancy(Design d, List<Schedule.Work> works, String stepRank, Map<String, Long> tile,
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
        for (long t = 0; t < tilesPerHead; t++) {
            Map<String, Long> tileLo = new LinkedHashMap<>();
            long rest = t;
            for (int k = tileRanks.size() - 1; k >= 0; k--) {
                String r = tileRanks.get(k);
                long count = (sizes.get(r) + tile.get(r) - 1) / tile.get(r);
                tileLo.put(r, rest % count * tile.get(r));
                rest /= count;
            }
            for (long s = 0; s < steps; s++) {
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
                    long[] eff = new long[n];
                    boolean none = true;
                    boolean all = true;
                    Map<List<Object>, Long> keptHere = new HashMap<>(); // works sharing a predicate share its count
                    for (int w = 0; w < n; w++) {
                        if (pred[w] == null) {
                            eff[w] = works.get(w).each().points();
                            continue;
                        }
                        int x = w;
                        long kept = keptHere.computeIfAbsent(List.of(pred[w], involved[w]), k ->
                            switch (effect.coverage(pred[x], involved[x], sizes, lo, stepSizes)) {
                                case NONE -> 0L;
                                case ALL -> boxPoints[x];
                                case SOME -> effect.count(pred[x], involved[x], sizes, lo, stepSizes, new boolean[] {true});
                            });
                        eff[w] = kept * freeMultiplier[w];
                        none &= kept == 0;
                        all &= kept == boxPoints[w];
                    }
                    short cls;
                    if (none) {
                        cls = Occupancy.EMPTY;
                    } else if (all) {
                        cls = Occupancy.FULL;
                    } else {
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
                        cls = known;
                    }
                    int at = Math.toIntExact((t * steps + s) * blocks + b);
                    classOf[at] = cls;
                    perClass[cls]++;
                    if (cls != Occupancy.EMPTY) {
                        anyNeeded[Math.toIntExact(t * steps + s)] = true;
                    }
                }
            }
        }
        boolean uniform = true;
        int perTile = Math.toIntExact(steps * blocks);
        for (int i = perTile; i < classOf.length && uniform; i++) {
            uniform = classOf[i] == classOf[i % perTile];
        }
        return new Occupancy(skipsEmpty, tilesPerHead, steps, blocks, classOf, effectual.toArray(long[][]::new),
            java.util.Arrays.copyOf(perClass, effectual.size()), anyNeeded, uniform);
    }

    @SuppressWarnings("unchecked")
    private static List<String>[] newLists(int n) {
        return (List<String>[]) new List<?>[n];
    }
}
