package cascade.einsum;

import java.util.Set;
import java.util.function.Consumer;

/** A mask: which points of an Einsum's iteration space take part. */
public sealed interface Predicate {
    SourcePos pos();

    void ranks(Set<String> into);

    void accesses(Consumer<Expr.Access> visitor);

    enum CmpOp {
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

        private final String symbol;

        CmpOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean test(long l, long r) {
            return switch (this) {
                case LT -> l < r;
                case LE -> l <= r;
                case GT -> l > r;
                case GE -> l >= r;
                case EQ -> l == r;
                case NE -> l != r;
            };
        }
    }

    /** {@code m <= p + M - P}: both sides affine in the rank indices. */
    record Compare(Index.Affine left, CmpOp op, Index.Affine right, SourcePos pos) implements Predicate {
        @Override
        public void ranks(Set<String> into) {
            left.ranks(into);
            right.ranks(into);
        }

        @Override
        public void accesses(Consumer<Expr.Access> visitor) {
        }

        @Override
        public String toString() {
            return left + " " + op.symbol() + " " + right;
        }
    }

    /** A tensor mask: the point takes part where the tensor's element is non-zero. */
    record TensorMask(Expr.Access access, SourcePos pos) implements Predicate {
        @Override
        public void ranks(Set<String> into) {
            access.ranks(into);
        }

        @Override
        public void accesses(Consumer<Expr.Access> visitor) {
            access.accesses(visitor);
        }

        @Override
        public String toString() {
            return access.toString();
        }
    }

    record And(Predicate left, Predicate right, SourcePos pos) implements Predicate {
        @Override
        public void ranks(Set<String> into) {
            left.ranks(into);
            right.ranks(into);
        }

        @Override
        public void accesses(Consumer<Expr.Access> visitor) {
            left.accesses(visitor);
            right.accesses(visitor);
        }

        @Override
        public String toString() {
            return "(" + left + " and " + right + ")";
        }
    }

    record Or(Predicate left, Predicate right, SourcePos pos) implements Predicate {
        @Override
        public void ranks(Set<String> into) {
            left.ranks(into);
            right.ranks(into);
        }

        @Override
        public void accesses(Consumer<Expr.Access> visitor) {
            left.accesses(visitor);
            right.accesses(visitor);
        }

        @Override
        public String toString() {
            return "(" + left + " or " + right + ")";
        }
    }

    record Not(Predicate arg, SourcePos pos) implements Predicate {
        @Override
        public void ranks(Set<String> into) {
            arg.ranks(into);
        }

        @Override
        public void accesses(Consumer<Expr.Access> visitor) {
            arg.accesses(visitor);
        }

        @Override
        public String toString() {
            return "not " + arg;
        }
    }
}
