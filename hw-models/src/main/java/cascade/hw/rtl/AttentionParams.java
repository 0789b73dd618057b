package cascade.hw.rtl;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.YamlNodes;
import cascade.hw.YamlNodes.Located;
import java.util.List;
import java.util.Map;

/**
 * The attention core's parameters: the array's rows (queries a block, one lane each) and columns
 * (keys a chunk), the head's dimensions, how many tokens and heads the memories hold, and the
 * fixed-point formats (fraction bits of the int8 inputs, of the exponentials, of the table's
 * index and of the output). They come from an architecture file: rows and columns from its 2D
 * array, the lanes from its 1D array, the rest from its {@code rtl:} section, so the simulator
 * and the generator read one description.
 */
public record AttentionParams(int rows, int cols, int headDim, int valueDim, int tokens, int heads, int inputFraction,
                              int probabilityFraction, int expFraction, int outputFraction) {
    /** The section's keys, with the defaults a key left out takes. */
    static final Map<String, Integer> DEFAULTS = Map.of("headDim", 8, "valueDim", 8, "tokens", 256, "heads", 2,
        "inputFraction", 5, "probabilityFraction", 11, "expFraction", 6, "outputFraction", 12);

    /** Refuses what the core cannot build; {@code where} locates each parameter. */
    public AttentionParams {
        check(rows, cols, headDim, valueDim, tokens, heads, inputFraction, probabilityFraction, expFraction, outputFraction);
    }

    private static void check(int rows, int cols, int headDim, int valueDim, int tokens, int heads, int inputFraction,
                              int probabilityFraction, int expFraction, int outputFraction) {
        powerOfTwo("rows", rows, 1, 16);
        powerOfTwo("cols", cols, 1, 64);
        powerOfTwo("headDim", headDim, 1, 128);
        powerOfTwo("valueDim", valueDim, 2, 128);
        powerOfTwo("tokens", tokens, 2, 1 << 16);
        powerOfTwo("heads", heads, 1, 64);
        if (cols % rows != 0) {
            throw new Refused("rows", "the array's rows (" + rows + ") must divide its columns (" + cols
                + "): a chunk of keys serves whole blocks of queries");
        }
        if (cols > tokens || rows > tokens) {
            throw new Refused("tokens", "a chunk of " + cols + " keys is larger than the memory's " + tokens + " tokens");
        }
        range("inputFraction", inputFraction, 0, 7);
        range("probabilityFraction", probabilityFraction, 4, 15);
        range("expFraction", expFraction, 2, 8);
        range("outputFraction", outputFraction, inputFraction, 8 + inputFraction);
        if (outputFraction > 14) {
            throw new Refused("outputFraction", "at most 14 fraction bits fit the 16-bit output with its sign and 1.0");
        }
        double scale = scaleExact(expFraction, inputFraction, headDim);
        if (scale < 256) {
            throw new Refused("expFraction", String.format(java.util.Locale.ROOT, "formats too narrow for headDim %d: the"
                + " score-to-table scale 2^(expFraction + 16 - 2 inputFraction) / sqrt(headDim) is %.1f, fewer than 8"
                + " bits (raise expFraction or lower inputFraction)", headDim, scale));
        }
        if (scale >= 65536) {
            throw new Refused("expFraction", String.format(java.util.Locale.ROOT, "the score-to-table scale %.0f does not fit"
                + " the 16-bit constant for headDim %d (lower expFraction or raise inputFraction)", scale, headDim));
        }
        int indexBits = expIndexBits(expFraction, probabilityFraction);
        if (indexBits > 12) {
            throw new Refused("expFraction", "the exponential table would have 2^" + indexBits + " entries a lane;"
                + " at most 2^12 (lower expFraction or probabilityFraction)");
        }
    }

    private static void powerOfTwo(String key, int v, int lo, int hi) {
        if (v < lo || v > hi || Integer.bitCount(v) != 1) {
            throw new Refused(key, key + " must be a power of two from " + lo + " to " + hi + ", not " + v
                + (key.equals("tokens") || key.equals("heads") ? " (it sets a memory's depth)" : ""));
        }
    }

    private static void range(String key, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new Refused(key, key + " must be from " + lo + " to " + hi + ", not " + v);
        }
    }

    /** A parameter the core cannot be built with, naming its key (the loader turns it into a located error). */
    public static final class Refused extends IllegalArgumentException {
        public final String key;

        Refused(String key, String message) {
            super(message);
            this.key = key;
        }
    }

    /** In words, for messages: the array, the head and the memories. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "the %dx%d attention core (E = %d, F = %d, %d tokens x %d heads)", rows, cols,
            headDim, valueDim, tokens, heads);
    }

    public int lanes() {
        return rows;
    }

    private static double scaleExact(int expFraction, int inputFraction, int headDim) {
        return Math.pow(2, expFraction + 16 - 2 * inputFraction) / Math.sqrt(headDim);
    }

    /** 2^16 · (table steps per score unit) / sqrt(E): the lanes' multiplier from a score difference to the table index. */
    public long scaleConstant() {
        return Math.round(scaleExact(expFraction, inputFraction, headDim));
    }

    /** Table index bits: expFraction bits of fraction over [0, 2^k), past which exp(−t) rounds to zero. */
    public int expIndexBits() {
        return expIndexBits(expFraction, probabilityFraction);
    }

    private static int expIndexBits(int expFraction, int probabilityFraction) {
        int k = (int) Math.ceil(Math.log((probabilityFraction + 1) * Math.log(2)) / Math.log(2));
        return expFraction + Math.max(1, k);
    }

    /** exp(−i / 2^expFraction) in probabilityFraction bits (entry 0 exactly 1.0; the lanes round the index). */
    public long[] expTable() {
        long[] t = new long[1 << expIndexBits()];
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.round(Math.exp(-(double) i / (1 << expFraction)) * (1 << probabilityFraction));
        }
        return t;
    }

    /** The default core: {@code rtl/attention-core.yaml}. */
    public static final String DEFAULT_FILE = "rtl/attention-core.yaml";
    /** The core that fits an iCE40 UP5K: {@code rtl/attention-up5k.yaml}. */
    public static final String UP5K_FILE = "rtl/attention-up5k.yaml";

    /** The text of a built-in architecture file ({@link #DEFAULT_FILE}, {@link #UP5K_FILE}). */
    public static String builtInText(String file) {
        return cascade.einsum.Resources.read(AttentionParams.class, "/" + file);
    }

    public static AttentionParams defaults() {
        return load(DEFAULT_FILE, builtInText(DEFAULT_FILE));
    }

    /** A real number in the inputs' format (int8 with inputFraction bits), rounded and saturated. */
    public long quantize(double x) {
        return Math.max(-128, Math.min(127, Math.round(x * (1 << inputFraction))));
    }

    /** Cycles a drain divider holds its lane for one division: a setup cycle and 16 quotient bits. */
    public static final int DIVISION_CYCLES = 17;

    /**
     * The cycles from an operation's issue to its result as the generator pipelines them, which the
     * file must state for the simulator: the array's first multiply waits for the operand memories'
     * read stage; a lane's compare and add land in the cycle they issue, its exponential takes the
     * table's index and read stages, its rescaling multiply-add reads the array's registered column;
     * a divider's quotient is registered once its division is done.
     */
    static final Map<String, Integer> ARRAY_LATENCY = Map.of("mac", 1);
    static final Map<String, Integer> LANE_LATENCY = Map.of("max", 0, "add", 0, "exp", 2, "mac", 1);
    static final Map<String, Integer> DRAIN_LATENCY = Map.of("div", 1);

    /**
     * Refuses a unit whose {@code key} ({@code latency} or {@code issue}) cycles differ from those
     * the generator builds, at the figure or, where it is missing, at the unit.
     */
    private static void requireCycles(Located unit, String name, String key, Map<String, Integer> built, String why) {
        Map<String, Located> u = YamlNodes.mapping(unit, null, "a compute unit");
        Map<String, Located> given = u.containsKey(key) ? YamlNodes.mapping(u.get(key), null, key + " cycles") : Map.of();
        for (var e : new java.util.TreeMap<>(built).entrySet()) {
            Located l = given.get(e.getKey());
            if (l == null || cycles(l) != e.getValue()) {
                throw new InvalidInputException((l == null ? unit : value(l)).pos(), "the core's " + e.getKey() + " on " + name
                    + " has " + (key.equals("issue") ? "an issue" : "a latency") + " of " + e.getValue()
                    + (e.getValue() == 1 ? " cycle" : " cycles") + " as generated" + why + ": the file must say " + key + ": {"
                    + e.getKey() + ": " + e.getValue() + " cycles}" + (l == null ? "" : ", not " + YamlNodes.scalar(value(l))));
            }
        }
    }

    /** The architecture file's names of the core's three units: the array, the lanes and the drain's dividers. */
    public record Units(String array, String lanes, String drain) {
    }

    /** The core's units as the file has them: the first {@code array2d}, the first {@code array1d}, and the {@code array1d} after it with {@code div}. */
    private record Found(Located array, Located lanes, Located drain) {
        static Found in(Map<String, Located> top, Located root) {
            Located compute = YamlNodes.require(top, "compute", root);
            Located array = null;
            Located lanes = null;
            Located drain = null;
            for (Located unit : YamlNodes.sequence(compute, "compute units")) {
                Map<String, Located> u = YamlNodes.mapping(unit, null, "a compute unit");
                String kind = u.containsKey("kind") ? YamlNodes.scalar(u.get("kind")) : "";
                if (kind.equals("array2d") && array == null) {
                    array = unit;
                } else if (kind.equals("array1d") && lanes == null) {
                    lanes = unit;
                } else if (kind.equals("array1d") && drain == null && u.containsKey("ops")
                        && YamlNodes.sequence(u.get("ops"), "ops").stream().anyMatch(o -> YamlNodes.scalar(o).equals("div"))) {
                    drain = unit;
                }
            }
            if (array == null || lanes == null || drain == null) {
                throw new InvalidInputException(compute.pos(), "the core needs an array2d unit (its rows and cols), an array1d"
                    + " unit (its lanes) and, after it, an array1d unit with div (the drain's dividers)");
            }
            return new Found(array, lanes, drain);
        }

        String name(Located unit) {
            return YamlNodes.scalar(YamlNodes.require(YamlNodes.mapping(unit, null, "a compute unit"), "name", unit));
        }
    }

    /** The names of the core's units in an architecture file {@link #load} accepts. */
    public static Units units(String file, String text) {
        Located root = YamlNodes.compose(file, text, "an architecture");
        Found f = Found.in(YamlNodes.mapping(root, null, "an architecture"), root);
        return new Units(f.name(f.array()), f.name(f.lanes()), f.name(f.drain()));
    }

    /**
     * Reads an architecture file's core: the first {@code array2d}'s rows and cols, the first
     * {@code array1d}'s width (which must equal the rows), the drain (the next {@code array1d},
     * with {@code div}: one divider a lane, each taking {@link #DIVISION_CYCLES} a division, as
     * the generator builds it, so that the simulator reading the same file times what the RTL
     * does), and the {@code rtl:} section.
     */
    public static AttentionParams load(String file, String text) {
        Located root = YamlNodes.compose(file, text, "an architecture");
        Map<String, Located> top = YamlNodes.mapping(root, null, "an architecture");
        Located rtl = top.get("rtl");
        if (rtl == null) {
            throw new InvalidInputException(root.pos(), "the architecture has no rtl: section (the core's head dimensions,"
                + " memory depths and formats)");
        }
        Map<String, Located> section = YamlNodes.mapping(rtl, List.copyOf(new java.util.TreeSet<>(DEFAULTS.keySet())),
            "the rtl section");
        Found found = Found.in(top, root);
        Located array = found.array();
        Located lanes = found.lanes();
        Map<String, Located> a = YamlNodes.mapping(array, null, "a compute unit");
        Map<String, Located> l = YamlNodes.mapping(lanes, null, "a compute unit");
        Located rowsNode = YamlNodes.require(a, "rows", array);
        Located colsNode = YamlNodes.require(a, "cols", array);
        Located widthNode = YamlNodes.require(l, "width", lanes);
        int rows = whole(rowsNode);
        int cols = whole(colsNode);
        if (whole(widthNode) != rows) {
            throw new InvalidInputException(widthNode.pos(), "the core has one lane per array row: the array1d's width must be "
                + rows + ", not " + whole(widthNode));
        }
        Map<String, Located> d = YamlNodes.mapping(found.drain(), null, "a compute unit");
        Located drainWidth = YamlNodes.require(d, "width", found.drain());
        if (whole(drainWidth) != rows) {
            throw new InvalidInputException(drainWidth.pos(), "the core's drain has one divider a lane: "
                + found.name(found.drain()) + "'s width must be " + rows + ", not " + whole(drainWidth));
        }
        requireCycles(found.drain(), found.name(found.drain()), "issue", Map.of("div", DIVISION_CYCLES),
            " (a divider holds its lane for a setup cycle and 16 quotient bits)");
        requireCycles(found.array(), found.name(found.array()), "latency", ARRAY_LATENCY, "");
        requireCycles(lanes, found.name(lanes), "latency", LANE_LATENCY, "");
        requireCycles(found.drain(), found.name(found.drain()), "latency", DRAIN_LATENCY, "");
        Map<String, Integer> v = new java.util.HashMap<>(DEFAULTS);
        for (var e : section.entrySet()) {
            v.put(e.getKey(), whole(e.getValue()));
        }
        try {
            return new AttentionParams(rows, cols, v.get("headDim"), v.get("valueDim"), v.get("tokens"), v.get("heads"),
                v.get("inputFraction"), v.get("probabilityFraction"), v.get("expFraction"), v.get("outputFraction"));
        } catch (Refused e) {
            Located at = e.key.equals("rows") ? rowsNode : e.key.equals("cols") ? colsNode : section.getOrDefault(e.key, rtl);
            SourcePos pos = at.pos();
            throw new InvalidInputException(pos, e.getMessage());
        }
    }

    /** A figure's value: the node itself, or its {@code value:} where it is written with a source. */
    private static Located value(Located node) {
        if (node.node() instanceof org.yaml.snakeyaml.nodes.MappingNode) {
            return YamlNodes.require(YamlNodes.mapping(node, null, "a figure"), "value", node);
        }
        return node;
    }

    /** A whole number, bare or as a figure's value. */
    private static int whole(Located node) {
        Located v = value(node);
        String s = YamlNodes.scalar(v);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(v.pos(), "expected a whole number, found '" + s + "'");
        }
    }

    /** A whole number of cycles ({@code 17 cycles}, {@code 1 cycle} or bare), bare or as a figure's value. */
    private static int cycles(Located node) {
        Located v = value(node);
        String s = YamlNodes.scalar(v).trim().replaceFirst("\\s*cycles?$", "");
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(v.pos(), "expected a number of cycles, found '" + YamlNodes.scalar(v) + "'");
        }
    }
}
