package cascade.einsum.analysis;

import cascade.einsum.Cascade;
import java.util.List;
import java.util.Map;

/** What {@code cascade analyze} reports for a cascade at bound sizes. */
public record Analysis(String cascade, Map<String, Long> sizes, String passRank, int passes, Map<String, Long> ops,
                       boolean opsExact, long footprintElements, List<OpCounts.EinsumOps> perEinsum) {

    public static Analysis of(Cascade c, Map<String, Long> sizes, String passRank) {
        List<OpCounts.EinsumOps> per = OpCounts.perEinsum(c, sizes);
        return new Analysis(c.name(), sizes, passRank, Passes.count(c, passRank), OpCounts.total(per),
            per.stream().allMatch(OpCounts.EinsumOps::exact), Footprint.peakElements(c, sizes), per);
    }

    /** Operations per operator of the effectual points only ({@link Effectual}). */
    public Map<String, Long> effectualOps() {
        Map<String, Long> total = new java.util.LinkedHashMap<>();
        OpCounts.CATEGORIES.forEach(k -> total.put(k, 0L));
        perEinsum.forEach(e -> e.effectualOps().forEach((k, v) -> total.merge(k, v, Math::addExact)));
        return total;
    }

    /** Floating-point operations as attention papers count them: a MAC is two. */
    public long flops() {
        return flops(ops);
    }

    /** The flops of these operation counts. */
    public static long flops(Map<String, Long> ops) {
        long f = 0;
        for (var e : ops.entrySet()) {
            switch (e.getKey()) {
                case "mac" -> f += 2 * e.getValue();
                case "gather", "topkElements" -> { }
                default -> f += e.getValue();
            }
        }
        return f;
    }
}
