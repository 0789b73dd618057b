package cascade.hw;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantities with units, as a spec writes them ({@code 400 GiB/s}, {@code 16 MiB}, {@code 940 MHz},
 * {@code 485.0 pJ per 256 words}), converted to the model's units: bytes, bytes per second, hertz,
 * picojoules per access of the stated size, square micrometres, nanometres, cycles.
 */
final class Units {
    enum Dimension { SIZE, BANDWIDTH, FREQUENCY, ENERGY, AREA, LENGTH, CYCLES, COUNT }

    private static final Map<String, Double> SIZE = new LinkedHashMap<>();
    private static final Map<String, Double> FREQUENCY = new LinkedHashMap<>();
    private static final Map<String, Double> ENERGY = new LinkedHashMap<>();
    private static final Map<String, Double> AREA = new LinkedHashMap<>();

    static {
        SIZE.put("bit", 1.0 / 8);
        SIZE.put("B", 1.0);
        SIZE.put("KB", 1e3);
        SIZE.put("MB", 1e6);
        SIZE.put("GB", 1e9);
        SIZE.put("TB", 1e12);
        SIZE.put("KiB", 1024.0);
        SIZE.put("MiB", 1024.0 * 1024);
        SIZE.put("GiB", 1024.0 * 1024 * 1024);
        SIZE.put("TiB", 1024.0 * 1024 * 1024 * 1024);
        FREQUENCY.put("Hz", 1.0);
        FREQUENCY.put("kHz", 1e3);
        FREQUENCY.put("MHz", 1e6);
        FREQUENCY.put("GHz", 1e9);
        ENERGY.put("fJ", 1e-3);
        ENERGY.put("pJ", 1.0);
        ENERGY.put("nJ", 1e3);
        AREA.put("um2", 1.0);
        AREA.put("mm2", 1e6);
    }

    private static final Pattern QUANTITY = Pattern.compile(
        "\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE]-?[0-9]+)?)\\s*([A-Za-z0-9/]*)\\s*(?:per\\s+([0-9]+)\\s*(bit|bits|words?|B))?\\s*");

    private Units() {
    }

    /** A parsed quantity: the value in the model's unit; for energy, {@code perBits} is the access it is for (0: one word). */
    record Parsed(double value, String unit, double perBits) {
    }

    static Parsed parse(String text, Dimension d, int wordBits, SourcePos pos) {
        Matcher m = QUANTITY.matcher(text);
        if (!m.matches()) {
            throw new InvalidInputException(pos, "expected a number and a unit, as in " + example(d) + "; found '" + text + "'");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2);
        if (m.group(3) != null && d != Dimension.ENERGY) {
            throw new InvalidInputException(pos, "'per …' is only for energies, as in 485.0 pJ per 256 words");
        }
        double value = switch (d) {
            case SIZE -> {
                if (unit.equals("words") || unit.equals("word")) {
                    yield number * wordBits / 8.0;
                }
                yield number * factor(SIZE, unit, d, pos);
            }
            case BANDWIDTH -> {
                if (unit.equals("words/cycle")) {
                    yield number; // kept in words per cycle; the model converts with the clock
                }
                if (!unit.endsWith("/s")) {
                    throw unknown(unit, d, pos);
                }
                yield number * factor(SIZE, unit.substring(0, unit.length() - 2), d, pos);
            }
            case FREQUENCY -> number * factor(FREQUENCY, unit, d, pos);
            case ENERGY -> number * factor(ENERGY, unit, d, pos);
            case AREA -> number * factor(AREA, unit, d, pos);
            case LENGTH -> {
                if (!unit.equals("nm")) {
                    throw unknown(unit, d, pos);
                }
                yield number;
            }
            case CYCLES -> {
                if (!unit.equals("cycles") && !unit.equals("cycle")) {
                    throw unknown(unit, d, pos);
                }
                yield number;
            }
            case COUNT -> {
                if (!unit.isEmpty()) {
                    throw new InvalidInputException(pos, "expected a plain number, found '" + text + "'");
                }
                yield number;
            }
        };
        if (value < 0 || (value == 0 && d != Dimension.ENERGY && d != Dimension.CYCLES)) {
            throw new InvalidInputException(pos, "'" + text.strip() + "' must be positive");
        }
        double perBits = 0;
        if (m.group(3) != null) {
            long n = Long.parseLong(m.group(3));
            perBits = m.group(4).startsWith("bit") ? n : m.group(4).equals("B") ? 8.0 * n : (double) n * wordBits;
            if (perBits <= 0) {
                throw new InvalidInputException(pos, "an energy is per a positive access size");
            }
        }
        String canonical = switch (d) {
            case SIZE -> "bytes";
            case BANDWIDTH -> unit.equals("words/cycle") ? "words/cycle" : "bytes/s";
            case FREQUENCY -> "Hz";
            case ENERGY -> "pJ";
            case AREA -> "um2";
            case LENGTH -> "nm";
            case CYCLES -> "cycles";
            case COUNT -> "";
        };
        return new Parsed(value, canonical, perBits);
    }

    private static double factor(Map<String, Double> table, String unit, Dimension d, SourcePos pos) {
        Double f = table.get(unit);
        if (f == null) {
            throw unknown(unit, d, pos);
        }
        return f;
    }

    private static InvalidInputException unknown(String unit, Dimension d, SourcePos pos) {
        String expected = switch (d) {
            case SIZE -> String.join(", ", SIZE.keySet()) + ", words";
            case BANDWIDTH -> "B/s, GB/s, GiB/s, TB/s (any size unit + /s), words/cycle";
            case FREQUENCY -> String.join(", ", FREQUENCY.keySet());
            case ENERGY -> String.join(", ", ENERGY.keySet());
            case AREA -> String.join(", ", AREA.keySet());
            case LENGTH -> "nm";
            case CYCLES -> "cycles";
            case COUNT -> "no unit";
        };
        return new InvalidInputException(pos, (unit.isEmpty() ? "missing unit" : "unknown unit '" + unit + "'")
            + " for a " + d.name().toLowerCase(java.util.Locale.ROOT) + "; expected one of " + expected
            + " (as in " + example(d) + ")");
    }

    private static String example(Dimension d) {
        return switch (d) {
            case SIZE -> "16 MiB";
            case BANDWIDTH -> "400 GiB/s";
            case FREQUENCY -> "940 MHz";
            case ENERGY -> "17.16 pJ";
            case AREA -> "1545 um2";
            case LENGTH -> "16 nm";
            case CYCLES -> "4 cycles";
            case COUNT -> "256";
        };
    }
}
