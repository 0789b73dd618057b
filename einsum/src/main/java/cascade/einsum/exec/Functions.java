package cascade.einsum.exec;

import cascade.einsum.Expr;

/** The unary functions on one value, in double: the oracle's definition and the executor's scalar tail. */
final class Functions {
    private Functions() {
    }

    /** Every unary function but {@code scale}, whose constant the caller holds. */
    /**
     * A difference, except that −inf − (−inf) is −inf (IEEE gives NaN): a score masked out, less
     * the maximum of a row whose every score is masked out (the max of nothing, −inf), stays masked
     * out, so its exponential is 0 and a fully masked row contributes nothing instead of NaN.
     */
    static double sub(double a, double b) {
        return a == Double.NEGATIVE_INFINITY && b == Double.NEGATIVE_INFINITY ? a : a - b;
    }

    /**
     * A quotient, except that 0 / 0 is 0 (IEEE gives NaN): the normalisation of a row with no key
     * left (numerator and denominator both sums over nothing) is zeros, as FlashAttention's kernels
     * give. Any other division by zero stays IEEE's (±inf, or NaN for NaN operands).
     */
    static double div(double a, double b) {
        return a == 0 && b == 0 ? 0 : a / b;
    }

    static double apply(Expr.UnaryOp op, double x) {
        return switch (op) {
            case EXP -> Math.exp(x);
            case RECIP -> 1 / x;
            case SQRT -> Math.sqrt(x);
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            // max(x, 0) + log1p(exp(-|x|)): exact for large |x|, where log(1 + exp(x)) overflows
            case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            case ELU -> x > 0 ? x : Math.expm1(x);
            case RELU -> Math.max(x, 0);
            case SILU -> x / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case LOG -> Math.log(x);
            case SCALE -> throw new IllegalArgumentException("scale needs its constant");
        };
    }
}
