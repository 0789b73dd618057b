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

    /** Floating-point operations as attention papers count them: a MAC is two. */
    public long flops() {
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
