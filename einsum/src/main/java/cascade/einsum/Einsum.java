package cascade.einsum;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One statement of a cascade: {@code OUT[ranks] = reduction body [where mask [else fill]] [init v]}.
 * <ul>
 *   <li>{@code reduction}: none, a reduce operator over the ranks that disappear, or a top-k.</li>
 *   <li>{@code mask}: points of the iteration space failing it take no part; an output element
 *       none of whose points take part gets {@code fill} (default: the reduction's identity,
 *       or 0 without a reduction).</li>
 *   <li>{@code recurrenceRank}: set for {@code RM[m1+1,p] = f(RM[m1,p], …) init v}.</li>
 * </ul>
 */
public record Einsum(String output, List<String> outputRanks, String recurrenceRank, Reduction reduction,
                     Expr body, Predicate mask, ConstExpr fill, ConstExpr init, SourcePos pos) {

    public enum ReduceOp {
        SUM, MAX, MIN;

        public double identity() {
            return switch (this) {
                case SUM -> 0;
                case MAX -> Double.NEGATIVE_INFINITY;
                case MIN -> Double.POSITIVE_INFINITY;
            };
        }

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public sealed interface Reduction {
    }

    public record NoReduction() implements Reduction {
    }

    public record Reduce(ReduceOp op, List<String> ranks) implements Reduction {
    }

    /** {@code TI[k,p] = topk_m X[m,p]}: indices of the K largest along {@code over}, largest first, ties to the lower index. */
    public record TopK(String over, String selection) implements Reduction {
    }

    public boolean isRecurrence() {
        return recurrenceRank != null;
    }

    /** Ranks reduced away (for a top-k, the rank selected over). */
    public List<String> reducedRanks() {
        return switch (reduction) {
            case NoReduction n -> List.of();
            case Reduce r -> r.ranks();
            case TopK t -> List.of(t.over());
        };
    }

    /** Output ranks followed by reduced ranks: every rank variable the Einsum loops over. */
    public Set<String> iterationRanks() {
        Set<String> all = new LinkedHashSet<>(outputRanks);
        all.addAll(reducedRanks());
        return all;
    }

    /** The output value where the mask removes every point. */
    public double fillValue(java.util.Map<String, Long> sizes) {
        if (fill != null) {
            return fill.eval(sizes);
        }
        return reduction instanceof Reduce r ? r.op().identity() : 0;
    }
}
