package cascade.einsum;

import java.util.Locale;

/**
 * A whole number as the papers write sizes: {@code 1024}, or with a binary suffix {@code 1K},
 * {@code 64K}, {@code 1M}, {@code 2G} (powers of two: K = 1,024, M = 1,048,576, G = 2^30).
 */
public final class Count {
    private Count() {
    }

    /** @throws NumberFormatException naming what was expected, when {@code text} is not such a number */
    public static long parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new NumberFormatException("expected a whole number such as 1024 or 1K, found nothing");
        }
        int shift = switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (!digits.matches("[0-9]+")) {
            throw new NumberFormatException("expected a whole number such as 1024, 1K, 64K or 1M, found '" + text + "'");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new NumberFormatException("'" + text + "' is too large");
        }
    }

    /** {@link #parse} for an {@code int}. */
    public static int parseInt(String text) {
        long v = parse(text);
        if (v > Integer.MAX_VALUE) {
            throw new NumberFormatException("'" + text + "' is too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** The short form when it is exact ({@code 1K}, {@code 64K}, {@code 1M}), else the digits. */
    public static String format(long n) {
        for (String[] s : new String[][] {{"G", "30"}, {"M", "20"}, {"K", "10"}}) {
            long unit = 1L << Integer.parseInt(s[1]);
            if (n >= unit && n % unit == 0) {
                return (n / unit) + s[0].toUpperCase(Locale.ROOT);
            }
        }
        return Long.toString(n);
    }
}
