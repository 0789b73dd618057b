package cascade.einsum;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The right-hand side of an Einsum below its reduction: operands joined by map operators. */
public sealed interface Expr {
    SourcePos pos();

    /** Every rank variable read anywhere inside, gathers included. */
    void ranks(Set<String> into);

    /** Visits every tensor access, including the index tensors of gathers. */
    void accesses(Consumer<Access> visitor);

    enum UnaryOp {
        EXP, RECIP, SQRT, NEG, ABS, SCALE;

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MAX("max"), MIN("min");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean isFunction() {
            return this == MAX || this == MIN;
        }
    }

    /**
     * A tensor read. {@code slots} is filled by the validator: for each declared rank of the
     * tensor, the subscripts that address it (one, or one per part of a partitioned rank).
     */
    record Access(String tensor, List<Index> indices, SourcePos pos, List<Slot> slots) implements Expr {
        public Access withSlots(List<Slot> resolved) {
            return new Access(tensor, indices, pos, List.copyOf(resolved));
        }

        /**
         * Whether the slot of {@code rank} is subscripted by the bare index of that rank: a read of
         * a recurrence over {@code rank} at {@code r}, i.e. of the previous step's value.
         */
        public boolean readsBareIndexOf(String rank) {
            return slots != null && slots.stream().anyMatch(s -> s.rank().equals(rank)
                && s.indices().getFirst() instanceof Index.Affine af && rank.equals(af.plainRank()));
        }

        @Override
        public void ranks(Set<String> into) {
            for (Index i : indices) {
                i.ranks(into);
            }
        }

        @Override
        public void accesses(Consumer<Access> visitor) {
            visitor.accept(this);
            for (Index i : indices) {
                if (i instanceof Index.Gather g) {
                    g.source().accesses(visitor);
                }
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(tensor).append('[');
            for (int i = 0; i < indices.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(indices.get(i));
            }
            return sb.append(']').toString();
        }
    }

    /**
     * The subscripts of one declared rank of a tensor. With a partition, the parts' indices
     * combine row-major: for {@code M -> M1, M0}, {@code m = m1 * M0 + m0}.
     */
    record Slot(String rank, Partition partition, List<Index> indices) {
    }

    /** {@code exp(x)}, {@code scale(x, c)}, … ; {@code constant} is set for {@code scale} only. */
    record Unary(UnaryOp op, Expr arg, ConstExpr constant, SourcePos pos) implements Expr {
        @Override
        public void ranks(Set<String> into) {
            arg.ranks(into);
        }

        @Override
        public void accesses(Consumer<Access> visitor) {
            arg.accesses(visitor);
        }

        @Override
        public String toString() {
            return op == UnaryOp.SCALE ? "scale(" + arg + ", " + constant + ")" : op.keyword() + "(" + arg + ")";
        }
    }

    record Binary(BinaryOp op, Expr left, Expr right, SourcePos pos) implements Expr {
        @Override
        public void ranks(Set<String> into) {
            left.ranks(into);
            right.ranks(into);
        }

        @Override
        public void accesses(Consumer<Access> visitor) {
            left.accesses(visitor);
            right.accesses(visitor);
        }

        @Override
        public String toString() {
            return op.isFunction() ? op.symbol() + "(" + left + ", " + right + ")"
                    : "(" + left + " " + op.symbol() + " " + right + ")";
        }
    }
}
