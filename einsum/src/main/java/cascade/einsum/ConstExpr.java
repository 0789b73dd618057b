package cascade.einsum;

import java.util.Map;
import java.util.Set;

/**
 * A constant known once sizes are bound: numbers, {@code inf}, rank sizes and parameters,
 * combined with {@code + - * /}, unary minus, {@code sqrt}, {@code log} and {@code exp}. Used for scale factors,
 * initial values, mask fills, index offsets and constant operands.
 */
public sealed interface ConstExpr {
    SourcePos pos();

    double eval(Map<String, Long> sizes);

    /** The rank-size and parameter names this constant reads. */
    default void symbols(Set<String> into) {
    }

    record Num(double value, SourcePos pos) implements ConstExpr {
        @Override
        public double eval(Map<String, Long> sizes) {
            return value;
        }

        @Override
        public String toString() {
            if (value == Double.POSITIVE_INFINITY) {
                return "inf";
            }
            return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
        }
    }

    record Symbol(String name, SourcePos pos) implements ConstExpr {
        @Override
        public double eval(Map<String, Long> sizes) {
            Long v = sizes.get(name);
            if (v == null) {
                throw new InvalidInputException(pos, name + " has no value; bind it with --bind " + name + "=…");
            }
            return v;
        }

        @Override
        public void symbols(Set<String> into) {
            into.add(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    record Neg(ConstExpr arg, SourcePos pos) implements ConstExpr {
        @Override
        public double eval(Map<String, Long> sizes) {
            return -arg.eval(sizes);
        }

        @Override
        public void symbols(Set<String> into) {
            arg.symbols(into);
        }

        @Override
        public String toString() {
            return "-" + arg;
        }
    }

    /** {@code sqrt(c)}, {@code log(c)} or {@code exp(c)} of a constant. */
    record Call(String function, ConstExpr arg, SourcePos pos) implements ConstExpr {
        public static final java.util.List<String> FUNCTIONS = java.util.List.of("sqrt", "log", "exp");

        @Override
        public double eval(Map<String, Long> sizes) {
            double x = arg.eval(sizes);
            return switch (function) {
                case "sqrt" -> Math.sqrt(x);
                case "log" -> Math.log(x);
                case "exp" -> Math.exp(x);
                default -> throw new IllegalStateException("function " + function);
            };
        }

        @Override
        public void symbols(Set<String> into) {
            arg.symbols(into);
        }

        @Override
        public String toString() {
            return function + "(" + arg + ")";
        }
    }

    record Arith(char op, ConstExpr left, ConstExpr right, SourcePos pos) implements ConstExpr {
        @Override
        public double eval(Map<String, Long> sizes) {
            double l = left.eval(sizes);
            double r = right.eval(sizes);
            return switch (op) {
                case '+' -> l + r;
                case '-' -> l - r;
                case '*' -> l * r;
                case '/' -> l / r;
                default -> throw new IllegalStateException("operator " + op);
            };
        }

        @Override
        public void symbols(Set<String> into) {
            left.symbols(into);
            right.symbols(into);
        }

        @Override
        public String toString() {
            return "(" + left + " " + op + " " + right + ")";
        }
    }
}
