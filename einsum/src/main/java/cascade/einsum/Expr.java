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
        EXP(List.of("exp")), RECIP(List.of("div")), SQRT(List.of("sqrt")), NEG(List.of("neg")), ABS(List.of("abs")),
        SCALE(List.of("mul")),
        /** 1 / (1 + exp(-x)). */
        SIGMOID(List.of("neg", "exp", "add", "div")),
        /** log(1 + exp(x)). */
        SOFTPLUS(List.of("exp", "add", "log")),
        /** x where x > 0, else exp(x) - 1 (alpha = 1). */
        ELU(List.of("exp", "add", "max")),
        RELU(List.of("max")),
        /** x * sigmoid(x). */
        SILU(List.of("neg", "exp", "add", "div", "mul")),
        /** 2 * sigmoid(2x) - 1. */
        TANH(List.of("mul", "neg", "exp", "add", "div", "mul", "add")),
        /** The natural logarithm. */
        LOG(List.of("log"));

        private final List<String> primitives;

        UnaryOp(List<String> primitives) {
            this.primitives = primitives;
        }

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The arithmetic a datapath evaluates it with, once per occurrence: what the analyses count
         * and what a unit must offer. A function is costed as the textbook identity written beside
         * it, not as a primitive of its own, so no architecture needs a sigmoid unit to run one.
         */
        public List<String> primitives() {
            return primitives;
        }

        /** Whether it is defined only on floating-point values. */
        public boolean needsFloating() {
            return this != NEG && this != ABS && this != SCALE && this != RELU;
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

    /**
     * {@code int8(x)}: the value converted to a type as a store to it would, rounding to nearest
     * even and saturating; what quantisation ({@code int8(scale(X[i], 1 / S))}) is written with.
     */
    record Cast(ElementType type, Expr arg, SourcePos pos) implements Expr {
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
            return type.keyword() + "(" + arg + ")";
        }
    }

    /** A constant operand: {@code 1 + X[i]}, {@code X[i] / M}. */
    record Constant(ConstExpr value, SourcePos pos) implements Expr {
        @Override
        public void ranks(Set<String> into) {
        }

        @Override
        public void accesses(Consumer<Access> visitor) {
        }

        @Override
        public String toString() {
            return value.toString();
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
