package cascade.einsum;

/**
 * Element types a tensor may hold. Reduced precisions are emulated: a value is computed in a
 * wider type and then rounded here, with IEEE round-to-nearest-even for the float types and
 * saturation (after rounding to the nearest integer, ties to even) for the integer types.
 */
public enum ElementType {
    FP32(32, true), BF16(16, true), FP16(16, true), INT8(8, false), INT16(16, false), INT32(32, false);

    private final int bits;
    private final boolean floating;

    ElementType(int bits, boolean floating) {
        this.bits = bits;
        this.floating = floating;
    }

    public int bits() {
        return bits;
    }

    public int bytes() {
        return bits / 8;
    }

    public boolean isFloating() {
        return floating;
    }

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ElementType fromKeyword(String word) {
        for (ElementType t : values()) {
            if (t.keyword().equals(word)) {
                return t;
            }
        }
        return null;
    }

    /** The smallest type both operands convert to without loss of range. */
    public static ElementType join(ElementType a, ElementType b) {
        if (a == b) {
            return a;
        }
        if (a.floating && b.floating) {
            return FP32; // bf16 and fp16 have no common 16-bit superset
        }
        if (a.floating) {
            return a;
        }
        if (b.floating) {
            return b;
        }
        return a.bits >= b.bits ? a : b;
    }

    /** Rounds a double to this type (the oracle's path). */
    public double round(double v) {
        return switch (this) {
            case FP32 -> (float) v;
            case BF16 -> roundBf16((float) v);
            case FP16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case INT8 -> saturate(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case INT16 -> saturate(v, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT32 -> saturate(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
        };
    }

    /** Rounds a float to this type (the executor's path); FP32 is the identity. */
    public float round(float v) {
        return switch (this) {
            case FP32 -> v;
            case BF16 -> roundBf16(v);
            case FP16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            default -> (float) round((double) v);
        };
    }

    /**
     * Double-rounding to float first is exact here for every float the oracle produces from
     * float inputs except rare ties; the oracle rounds to float first on purpose, because the
     * hardware it models holds fp32 before narrowing to bf16.
     */
    private static float roundBf16(float v) {
        if (Float.isNaN(v)) {
            return v;
        }
        int bits = Float.floatToRawIntBits(v);
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb; // round to nearest, ties to even; overflow goes to inf
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    private static double saturate(double v, double min, double max) {
        if (Double.isNaN(v)) {
            return 0;
        }
        double r = Math.rint(v);
        return Math.max(min, Math.min(max, r));
    }
}
