package cascade.hw.rtl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The blocks Cascade generates: MAC PEs, a systolic array, a vector unit, a bitonic top-k stage. */
public final class Blocks {
    private Blocks() {
    }

    public static List<String> names() {
        return List.of("mac", "mac-q", "systolic", "vector", "topk", "attention", "quickselect");
    }

    /** A block by name with its parameters (rows, cols, lanes); unknown names and bad parameters are refused. */
    public static Block of(String name, Map<String, Integer> params) {
        return switch (name) {
            case "mac" -> new Mac(false);
            case "mac-q" -> new Mac(true);
            case "systolic" -> new Systolic(params.getOrDefault("rows", 4), params.getOrDefault("cols", 4));
            case "vector" -> new Vector(params.getOrDefault("lanes", 4));
            case "topk" -> new TopK();
            case "attention" -> new AttentionCore(AttentionParams.defaults());
            case "quickselect" -> new QuickSelectBlock(params.getOrDefault("rows", 32), params.getOrDefault("lanes", 4), 3, 1);
            default -> throw new IllegalArgumentException("no block named " + name + "; blocks: " + String.join(", ", names()));
        };
    }

    // ---------------------------------------------------------------- MAC

    /**
     * A multiply-accumulate PE. {@code mac}: int8 × int8 accumulated in int32 (wrapping). {@code
     * mac-q}: Q1.7 × Q1.7 = Q2.14 products accumulated in a saturating Q2.14 16-bit register.
     * {@code clear} starts a new sum with this cycle's product; {@code en} low holds the sum. The
     * operands are passed on, registered, to the right and downward neighbours.
     */
    public record Mac(boolean fixedPoint) implements Block {
        public String name() {
            return fixedPoint ? "mac_q" : "mac_pe";
        }

        int accWidth() {
            return fixedPoint ? 16 : 32;
        }

        public List<Hdl.Module> modules() {
            return List.of(module(name()));
        }

        Hdl.Module module(String moduleName) {
            Hdl.Module m = new Hdl.Module(moduleName, fixedPoint
                ? "Q1.7 x Q1.7 multiply-accumulate, saturating Q2.14 accumulator" : "int8 x int8 multiply-accumulate into int32");
            m.clocked();
            Hdl.Expr en = m.input("en", 1, false);
            Hdl.Expr clear = m.input("clear", 1, false);
            Hdl.Expr a = m.input("a", 8, true);
            Hdl.Expr b = m.input("b", 8, true);
            int w = accWidth();
            Hdl.Signal acc = m.registerOutput("acc", w, true, 0);
            Hdl.Signal aOut = m.registerOutput("a_out", 8, true, 0);
            Hdl.Signal bOut = m.registerOutput("b_out", 8, true, 0);
            Hdl.Signal product = m.wire("product", 16, true);
            m.assign(product, a.mul(b));
            Hdl.Expr base = m.let("base", acc.ref().when(clear.eq(Hdl.constant(0, 1, false)), Hdl.constant(0, w, true)));
            Hdl.Expr sum;
            if (fixedPoint) {
                Hdl.Signal wide = m.wire("sum_wide", 17, true);
                m.assign(wide, base.resize(17).add(product.ref().resize(17)));
                Hdl.Expr max = Hdl.constant(32767, 17, true);
                Hdl.Expr min = Hdl.constant(-32768, 17, true);
                Hdl.Expr clipped = m.let("sum_clipped", max.when(wide.ref().gt(max), min.when(min.gt(wide.ref()), wide.ref())));
                sum = clipped.resize(16);
            } else {
                sum = base.add(product.ref().resize(32));
            }
            m.next(acc, sum.when(en, base));
            m.next(aOut, a);
            m.next(bOut, b);
            return m;
        }

        public Model model(boolean bug) {
            return new Model() {
                long acc;
                long aOut;
                long bOut;

                public Map<String, Long> step(Map<String, Long> in) {
                    if (in.get("rst") == 1) {
                        acc = 0;
                        aOut = 0;
                        bOut = 0;
                    } else {
                        long a = Block.signed(in.get("a"), 8);
                        long b = Block.signed(in.get("b"), 8);
                        boolean clear = in.get("clear") == 1 && !(bug && !fixedPoint);
                        long base = clear ? 0 : acc;
                        if (in.get("en") == 1) {
                            long s = base + a * b;
                            if (fixedPoint) {
                                s = bug ? Block.signed(s, 16) : Math.max(-32768, Math.min(32767, s));
                            } else {
                                s = Block.signed(s, 32);
                            }
                            acc = s;
                        } else {
                            acc = base;
                        }
                        aOut = a;
                        bOut = b;
                    }
                    Map<String, Long> out = new LinkedHashMap<>();
                    out.put("acc", Block.mask(acc, accWidth()));
                    out.put("a_out", Block.mask(aOut, 8));
                    out.put("b_out", Block.mask(bOut, 8));
                    return out;
                }
            };
        }

        public Map<String, Long> random(SplittableRandom r) {
            Map<String, Long> in = new LinkedHashMap<>();
            in.put("rst", 0L);
            in.put("en", r.nextInt(8) == 0 ? 0L : 1L);
            in.put("clear", r.nextInt(16) == 0 ? 1L : 0L);
            in.put("a", (long) r.nextInt(256));
            in.put("b", (long) r.nextInt(256));
            return in;
        }

        /** Long runs of the extreme products: the int32 sum wraps only after 2^17; the Q2.14 one saturates at once. */
        public List<Map<String, Long>> directed() {
            List<Map<String, Long>> out = new ArrayList<>();
            long[][] extremes = {{0x80, 0x80}, {0x7F, 0x7F}, {0x80, 0x7F}, {0x7F, 0x80}};
            for (long[] ab : extremes) {
                for (int i = 0; i < 40; i++) {
                    out.add(Map.of("rst", 0L, "en", 1L, "clear", i == 0 ? 1L : 0L, "a", ab[0], "b", ab[1]));
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- systolic array

    /**
     * An R×C output-stationary systolic array of int8 MAC PEs. Row r's operand enters r cycles
     * late and column c's c cycles late (input skew registers), and so do {@code en} and {@code
     * clear} for PE (r, c), which therefore sees A[r][k] and B[k][c] together. A K-deep tile fed on
     * cycles 0..K−1 has every accumulator final after K + R + C − 2 rising edges: PE (R−1, C−1)
     * takes its last product R + C − 2 cycles after PE (0, 0) (the skew, then the drain).
     */
    public record Systolic(int rows, int cols) implements Block {
        public Systolic {
            if (rows < 1 || cols < 1 || rows > 16 || cols > 16) {
                throw new IllegalArgumentException("rows and cols must be between 1 and 16");
            }
        }

        public String name() {
            return "systolic_" + rows + "x" + cols;
        }

        public List<Hdl.Module> modules() {
            Hdl.Module pe = new Mac(false).module("mac_pe");
            Hdl.Module m = new Hdl.Module(name(), rows + "x" + cols + " output-stationary int8 systolic array with input skew");
            m.clocked();
            Hdl.Expr en = m.input("en", 1, false);
            Hdl.Expr clear = m.input("clear", 1, false);
            Hdl.Expr[] a = new Hdl.Expr[rows];
            Hdl.Expr[] b = new Hdl.Expr[cols];
            for (int r = 0; r < rows; r++) {
                a[r] = m.input("a_" + r, 8, true);
            }
            for (int c = 0; c < cols; c++) {
                b[c] = m.input("b_" + c, 8, true);
            }
            // Skew: a_r delayed r cycles, b_c delayed c cycles, control delayed r + c cycles.
            Hdl.Expr[] aSkew = new Hdl.Expr[rows];
            for (int r = 0; r < rows; r++) {
                aSkew[r] = delay(m, "a_" + r + "_d", a[r], r);
            }
            Hdl.Expr[] bSkew = new Hdl.Expr[cols];
            for (int c = 0; c < cols; c++) {
                bSkew[c] = delay(m, "b_" + c + "_d", b[c], c);
            }
            int maxDelay = rows + cols - 2;
            Hdl.Expr[] enD = new Hdl.Expr[maxDelay + 1];
            Hdl.Expr[] clearD = new Hdl.Expr[maxDelay + 1];
            enD[0] = en;
            clearD[0] = clear;
            for (int d = 1; d <= maxDelay; d++) {
                Hdl.Signal e = m.reg("en_d" + d, 1, false, 0);
                m.next(e, enD[d - 1]);
                enD[d] = e.ref();
                Hdl.Signal cl = m.reg("clear_d" + d, 1, false, 0);
                m.next(cl, clearD[d - 1]);
                clearD[d] = cl.ref();
            }
            Hdl.Signal[][] aOut = new Hdl.Signal[rows][cols];
            Hdl.Signal[][] bOut = new Hdl.Signal[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    // Operands leave at the right and bottom edges, so arrays can be chained.
                    aOut[r][c] = c == cols - 1 ? m.output("a_out_" + r, 8, true) : m.wire("pe_" + r + "_" + c + "_a", 8, true);
                    bOut[r][c] = r == rows - 1 ? m.output("b_out_" + c, 8, true) : m.wire("pe_" + r + "_" + c + "_b", 8, true);
                    Hdl.Signal acc = m.output("acc_" + r + "_" + c, 32, true);
                    Map<String, Hdl.Expr> in = new LinkedHashMap<>();
                    in.put("en", enD[r + c]);
                    in.put("clear", clearD[r + c]);
                    in.put("a", c == 0 ? aSkew[r] : aOut[r][c - 1].ref());
                    in.put("b", r == 0 ? bSkew[c] : bOut[r - 1][c].ref());
                    Map<String, Hdl.Signal> out = new LinkedHashMap<>();
                    out.put("acc", acc);
                    out.put("a_out", aOut[r][c]);
                    out.put("b_out", bOut[r][c]);
                    m.instance(pe, "pe_" + r + "_" + c, in, out);
                }
            }
            return List.of(pe, m);
        }

        private static Hdl.Expr delay(Hdl.Module m, String name, Hdl.Expr x, int cycles) {
            Hdl.Expr cur = x;
            for (int d = 1; d <= cycles; d++) {
                Hdl.Signal s = m.reg(name + d, x.width(), x.signed(), 0);
                m.next(s, cur);
                cur = s.ref();
            }
            return cur;
        }

        /** Rising edges from the first of K input cycles until every accumulator is final. */
        public int cyclesFor(int k) {
            return k + rows + cols - 2;
        }

        public Model model(boolean bug) {
            return new Model() {
                final long[][] acc = new long[rows][cols];
                final long[][] aReg = new long[rows][cols];
                final long[][] bReg = new long[rows][cols];
                final long[][] aPipe = new long[rows][rows + 1];
                final long[][] bPipe = new long[cols][cols + 1];
                final long[] enPipe = new long[rows + cols];
                final long[] clearPipe = new long[rows + cols];

                public Map<String, Long> step(Map<String, Long> in) {
                    if (in.get("rst") == 1) {
                        for (long[] x : acc) {
                            java.util.Arrays.fill(x, 0);
                        }
                        for (long[][] t : new long[][][] {aReg, bReg, aPipe, bPipe}) {
                            for (long[] x : t) {
                                java.util.Arrays.fill(x, 0);
                            }
                        }
                        java.util.Arrays.fill(enPipe, 0);
                        java.util.Arrays.fill(clearPipe, 0);
                    } else {
                        // Values each PE sees this cycle (before the edge).
                        long[][] aIn = new long[rows][cols];
                        long[][] bIn = new long[rows][cols];
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < cols; c++) {
                                int skew = bug && r == rows - 1 ? Math.max(0, r - 1) : r;
                                aIn[r][c] = c == 0 ? (r == 0 ? Block.signed(in.get("a_0"), 8) : aPipe[r][skew]) : aReg[r][c - 1];
                                bIn[r][c] = r == 0 ? (c == 0 ? Block.signed(in.get("b_0"), 8) : bPipe[c][c]) : bReg[r - 1][c];
                            }
                        }
                        long[] enNow = new long[rows + cols];
                        long[] clearNow = new long[rows + cols];
                        enNow[0] = in.get("en");
                        clearNow[0] = in.get("clear");
                        for (int d = 1; d < rows + cols; d++) {
                            enNow[d] = enPipe[d];
                            clearNow[d] = clearPipe[d];
                        }
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < cols; c++) {
                                long base = clearNow[r + c] == 1 ? 0 : acc[r][c];
                                acc[r][c] = enNow[r + c] == 1 ? Block.signed(base + aIn[r][c] * bIn[r][c], 32) : base;
                            }
                        }
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < cols; c++) {
                                aReg[r][c] = aIn[r][c];
                                bReg[r][c] = bIn[r][c];
                            }
                        }
                        // Shift the skew pipelines: stage d holds the input of d cycles ago.
                        for (int r = 0; r < rows; r++) {
                            for (int d = rows; d >= 1; d--) {
                                aPipe[r][d] = d == 1 ? Block.signed(in.get("a_" + r), 8) : aPipe[r][d - 1];
                            }
                        }
                        for (int c = 0; c < cols; c++) {
                            for (int d = cols; d >= 1; d--) {
                                bPipe[c][d] = d == 1 ? Block.signed(in.get("b_" + c), 8) : bPipe[c][d - 1];
                            }
                        }
                        for (int d = rows + cols - 1; d >= 1; d--) {
                            enPipe[d] = enNow[d - 1];
                            clearPipe[d] = clearNow[d - 1];
                        }
                    }
                    Map<String, Long> out = new LinkedHashMap<>();
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            out.put("acc_" + r + "_" + c, Block.mask(acc[r][c], 32));
                        }
                        out.put("a_out_" + r, Block.mask(aReg[r][cols - 1], 8));
                    }
                    for (int c = 0; c < cols; c++) {
                        out.put("b_out_" + c, Block.mask(bReg[rows - 1][c], 8));
                    }
                    return out;
                }
            };
        }

        public Map<String, Long> random(SplittableRandom r) {
            Map<String, Long> in = new LinkedHashMap<>();
            in.put("rst", 0L);
            in.put("en", r.nextInt(8) == 0 ? 0L : 1L);
            in.put("clear", r.nextInt(24) == 0 ? 1L : 0L);
            for (int i = 0; i < rows; i++) {
                in.put("a_" + i, (long) r.nextInt(256));
            }
            for (int i = 0; i < cols; i++) {
                in.put("b_" + i, (long) r.nextInt(256));
            }
            return in;
        }

        /** A whole tile of extreme operands (−128 · −128 everywhere), then a drain with en low. */
        public List<Map<String, Long>> directed() {
            List<Map<String, Long>> out = new ArrayList<>();
            for (int k = 0; k < 64 + rows + cols; k++) {
                Map<String, Long> in = new LinkedHashMap<>();
                in.put("rst", 0L);
                in.put("en", k < 64 ? 1L : 0L);
                in.put("clear", k == 0 ? 1L : 0L);
                for (int i = 0; i < rows; i++) {
                    in.put("a_" + i, 0x80L);
                }
                for (int i = 0; i < cols; i++) {
                    in.put("b_" + i, 0x80L);
                }
                out.add(in);
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- vector unit

    /** exp(−i/2) in Q8.8 for i = 0..16: the piecewise-linear table's knots. */
    static final long[] EXP_KNOTS = new long[17];

    static {
        for (int i = 0; i <= 16; i++) {
            EXP_KNOTS[i] = Math.round(256 * Math.exp(-i / 2.0));
        }
    }

    /**
     * A W-lane vector unit on Q8.8 fixed point (16-bit signed), one result a lane a cycle,
     * registered: op 0 adds (saturating), 1 takes the max, 2 evaluates exp(x) by linear
     * interpolation between knots at every half unit of [−8, 0] (exp(x ≥ 0) = 1.0, x ≤ −8 gives
     * 0), 3 passes x.
     */
    public record Vector(int lanes) implements Block {
        public Vector {
            if (lanes < 1 || lanes > 64) {
                throw new IllegalArgumentException("lanes must be between 1 and 64");
            }
        }

        public String name() {
            return "vector_" + lanes;
        }

        public List<Hdl.Module> modules() {
            Hdl.Module lane = laneModule();
            Hdl.Module m = new Hdl.Module(name(), lanes + "-lane Q8.8 vector unit: add, max, exp (piecewise linear), pass");
            m.clocked();
            Hdl.Expr op = m.input("op", 2, false);
            for (int i = 0; i < lanes; i++) {
                Hdl.Expr x = m.input("x_" + i, 16, true);
                Hdl.Expr y = m.input("y_" + i, 16, true);
                Hdl.Signal z = m.output("z_" + i, 16, true);
                m.instance(lane, "lane_" + i, Map.of("op", op, "x", x, "y", y), Map.of("z", z));
            }
            return List.of(lane, m);
        }

        private Hdl.Module laneModule() {
            Hdl.Module m = new Hdl.Module("vector_lane", "one Q8.8 lane: add (saturating), max, exp by piecewise-linear table, pass");
            m.clocked();
            Hdl.Expr op = m.input("op", 2, false);
            Hdl.Expr x = m.input("x", 16, true);
            Hdl.Expr y = m.input("y", 16, true);
            Hdl.Signal z = m.registerOutput("z", 16, true, 0);
            Hdl.Signal sum = m.wire("sum", 17, true);
            m.assign(sum, x.resize(17).add(y.resize(17)));
            Hdl.Expr hi = Hdl.constant(32767, 17, true);
            Hdl.Expr lo = Hdl.constant(-32768, 17, true);
            Hdl.Expr clipped = m.let("sum_clipped", hi.when(sum.ref().gt(hi), lo.when(lo.gt(sum.ref()), sum.ref())));
            Hdl.Signal sat = m.wire("sum_sat", 16, true);
            m.assign(sat, clipped.resize(16));
            Hdl.Signal mx = m.wire("max_xy", 16, true);
            m.assign(mx, x.when(x.ge(y), y));
            // exp: t = -x (x in (-8, 0)); segment i = t >> 7 (0..15), frac = t & 127.
            Hdl.Signal neg = m.wire("neg_x", 17, true);
            m.assign(neg, Hdl.constant(0, 17, true).sub(x.resize(17)));
            Hdl.Signal seg = m.wire("segment", 4, false);
            m.assign(seg, neg.ref().bits(10, 7));
            Hdl.Signal frac = m.wire("frac", 7, false);
            m.assign(frac, neg.ref().bits(6, 0));
            Hdl.Signal k0 = m.wire("knot_lo", 10, false);
            Hdl.Signal k1 = m.wire("knot_hi", 10, false);
            Hdl.Expr e0 = Hdl.constant(EXP_KNOTS[15], 10, false);
            Hdl.Expr e1 = Hdl.constant(EXP_KNOTS[16], 10, false);
            for (int i = 14; i >= 0; i--) {
                e0 = Hdl.constant(EXP_KNOTS[i], 10, false).when(seg.ref().eq(Hdl.constant(i, 4, false)), e0);
                e1 = Hdl.constant(EXP_KNOTS[i + 1], 10, false).when(seg.ref().eq(Hdl.constant(i, 4, false)), e1);
            }
            m.assign(k0, e0);
            m.assign(k1, e1);
            Hdl.Expr gap = m.let("knot_gap", k0.ref().sub(k1.ref()));
            Hdl.Expr product = m.let("gap_times_frac", gap.mul(frac.ref()));
            Hdl.Signal step = m.wire("drop", 17, false);
            m.assign(step, product.bits(16, 0));
            Hdl.Signal interp = m.wire("exp_interp", 16, true);
            m.assign(interp, Hdl.concat(Hdl.constant(0, 6, false), k0.ref()).sub(Hdl.concat(Hdl.constant(0, 6, false),
                step.ref().bits(16, 7))).asSigned());
            Hdl.Signal ex = m.wire("exp_x", 16, true);
            Hdl.Expr one = Hdl.constant(256, 16, true);
            Hdl.Expr zero = Hdl.constant(0, 16, true);
            Hdl.Expr limit = Hdl.constant(-2048, 16, true);
            m.assign(ex, one.when(x.ge(Hdl.constant(0, 16, true)), zero.when(limit.ge(x), interp.ref())));
            Hdl.Expr result = sat.ref().when(op.eq(Hdl.constant(0, 2, false)),
                mx.ref().when(op.eq(Hdl.constant(1, 2, false)), ex.ref().when(op.eq(Hdl.constant(2, 2, false)), x)));
            m.next(z, result);
            return m;
        }

        /** The lane's arithmetic, as the RTL does it. */
        static long lane(long op, long x, long y, boolean bug) {
            return switch ((int) op) {
                case 0 -> Math.max(-32768, Math.min(32767, x + y));
                case 1 -> x >= y ? x : y;
                case 2 -> {
                    if (x >= 0) {
                        yield 256;
                    }
                    if (x <= -2048) {
                        yield 0;
                    }
                    long t = -x;
                    int seg = (int) (t >> 7);
                    long frac = t & 127;
                    long e0 = EXP_KNOTS[seg];
                    long e1 = EXP_KNOTS[seg + 1];
                    yield e0 - (((e0 - e1) * frac) >> (bug ? 6 : 7));
                }
                default -> x;
            };
        }

        public Model model(boolean bug) {
            return new Model() {
                final long[] z = new long[lanes];

                public Map<String, Long> step(Map<String, Long> in) {
                    for (int i = 0; i < lanes; i++) {
                        z[i] = in.get("rst") == 1 ? 0
                            : lane(in.get("op"), Block.signed(in.get("x_" + i), 16), Block.signed(in.get("y_" + i), 16), bug);
                    }
                    Map<String, Long> out = new LinkedHashMap<>();
                    for (int i = 0; i < lanes; i++) {
                        out.put("z_" + i, Block.mask(z[i], 16));
                    }
                    return out;
                }
            };
        }

        public Map<String, Long> random(SplittableRandom r) {
            Map<String, Long> in = new LinkedHashMap<>();
            in.put("rst", 0L);
            in.put("op", (long) r.nextInt(4));
            for (int i = 0; i < lanes; i++) {
                boolean small = r.nextBoolean(); // half in exp's interesting range [-8, 0]
                in.put("x_" + i, small ? Block.mask(-r.nextInt(2200), 16) : (long) r.nextInt(65536));
                in.put("y_" + i, (long) r.nextInt(65536));
            }
            return in;
        }

        /** Saturation both ways, equal operands, and exp at every knot and the range's ends. */
        public List<Map<String, Long>> directed() {
            List<Map<String, Long>> out = new ArrayList<>();
            long[][] cases = {{0, 32767, 1}, {0, -32768, -1}, {0, 30000, 30000}, {1, 5, 5}, {1, -7, -7}};
            for (long[] c : cases) {
                out.add(all(c[0], c[1], c[2]));
            }
            for (long x = 1; x >= -2100; x -= 64) {
                out.add(all(2, x, 0));
            }
            return out;
        }

        private Map<String, Long> all(long op, long x, long y) {
            Map<String, Long> in = new LinkedHashMap<>();
            in.put("rst", 0L);
            in.put("op", op);
            for (int i = 0; i < lanes; i++) {
                in.put("x_" + i, Block.mask(x, 16));
                in.put("y_" + i, Block.mask(y, 16));
            }
            return in;
        }
    }

    // ---------------------------------------------------------------- top-k

    /**
     * A bitonic top-k stage over 8 unsigned 16-bit scores: sorts them descending (ties to the lower
     * index) and outputs values and indices, so the top k are the first k outputs. A stream stage:
     * {@code in_valid}/{@code in_ready} in front, {@code out_valid}/{@code out_ready} behind; a result
     * waits in the output register while {@code out_ready} is low (back-pressure).
     */
    public record TopK() implements Block {
        static final int N = 8;

        public String name() {
            return "topk_bitonic8";
        }

        public List<Hdl.Module> modules() {
            Hdl.Module m = new Hdl.Module(name(), "bitonic sort of 8 16-bit scores, descending, ties to the lower index; "
                + "valid/ready stream stage");
            m.clocked();
            Hdl.Expr inValid = m.input("in_valid", 1, false);
            Hdl.Expr outReady = m.input("out_ready", 1, false);
            Hdl.Expr[] keys = new Hdl.Expr[N];
            for (int i = 0; i < N; i++) {
                Hdl.Expr v = m.input("v_" + i, 16, false);
                keys[i] = Hdl.concat(v, Hdl.constant(N - 1 - i, 3, false)); // larger key first; lower index wins ties
            }
            Hdl.Signal outValid = m.registerOutput("out_valid", 1, false, 0);
            Hdl.Signal inReady = m.output("in_ready", 1, false);
            Hdl.Signal load = m.wire("load", 1, false);
            m.assign(inReady, outValid.ref().eq(Hdl.constant(0, 1, false)).or(outReady));
            m.assign(load, inReady.ref().and(inValid));
            int stage = 0;
            for (int[] pair : network()) {
                // pair: i, j, descending?
                int i = pair[0];
                int j = pair[1];
                boolean desc = pair[2] == 1;
                Hdl.Signal hi = m.wire("s" + stage + "_" + i, 19, false);
                Hdl.Signal lo = m.wire("s" + stage + "_" + j, 19, false);
                Hdl.Expr swap = desc ? keys[j].gt(keys[i]) : keys[i].gt(keys[j]);
                m.assign(hi, keys[j].when(swap, keys[i]));
                m.assign(lo, keys[i].when(swap, keys[j]));
                keys[i] = hi.ref();
                keys[j] = lo.ref();
                stage++;
            }
            for (int i = 0; i < N; i++) {
                Hdl.Signal v = m.registerOutput("out_v_" + i, 16, false, 0);
                Hdl.Signal x = m.registerOutput("out_i_" + i, 3, false, 0);
                m.next(v, keys[i].bits(18, 3).when(load.ref(), v.ref()));
                m.next(x, Hdl.constant(N - 1, 3, false).sub(keys[i].bits(2, 0)).when(load.ref(), x.ref()));
            }
            m.next(outValid, inValid.when(load.ref(), outValid.ref().and(outReady.not())));
            return List.of(m);
        }

        /** Compare-exchange pairs of the bitonic sorting network for 8, each {i, j, 1 if the pair sorts descending}. */
        static List<int[]> network() {
            List<int[]> pairs = new ArrayList<>();
            for (int k = 2; k <= N; k <<= 1) {
                for (int j = k >> 1; j > 0; j >>= 1) {
                    for (int i = 0; i < N; i++) {
                        int l = i ^ j;
                        if (l > i) {
                            boolean descending = (i & k) == 0; // overall descending order
                            pairs.add(new int[] {i, l, descending ? 1 : 0});
                        }
                    }
                }
            }
            return pairs;
        }

        public Model model(boolean bug) {
            return new Model() {
                final long[] v = new long[N];
                final long[] idx = new long[N];
                long outValid;

                public Map<String, Long> step(Map<String, Long> in) {
                    if (in.get("rst") == 1) {
                        java.util.Arrays.fill(v, 0);
                        java.util.Arrays.fill(idx, 0);
                        outValid = 0;
                    } else {
                        boolean inReady = outValid == 0 || in.get("out_ready") == 1 || bug;
                        boolean load = inReady && in.get("in_valid") == 1;
                        if (load) {
                            Integer[] order = new Integer[N];
                            for (int i = 0; i < N; i++) {
                                order[i] = i;
                            }
                            java.util.Arrays.sort(order, (a, b) -> {
                                long va = in.get("v_" + a);
                                long vb = in.get("v_" + b);
                                return va != vb ? Long.compare(vb, va) : Integer.compare(a, b);
                            });
                            for (int i = 0; i < N; i++) {
                                v[i] = in.get("v_" + order[i]);
                                idx[i] = order[i];
                            }
                            outValid = 1;
                        } else if (in.get("out_ready") == 1) {
                            outValid = 0;
                        }
                    }
                    Map<String, Long> out = new LinkedHashMap<>();
                    out.put("out_valid", outValid);
                    out.put("in_ready", outValid == 0 ? 1L : 0L); // placeholder, replaced below
                    for (int i = 0; i < N; i++) {
                        out.put("out_v_" + i, v[i]);
                        out.put("out_i_" + i, idx[i]);
                    }
                    out.remove("in_ready");
                    return out;
                }
            };
        }

        public Map<String, Long> random(SplittableRandom r) {
            Map<String, Long> in = new LinkedHashMap<>();
            in.put("rst", 0L);
            in.put("in_valid", r.nextInt(4) == 0 ? 0L : 1L);
            in.put("out_ready", r.nextInt(3) == 0 ? 0L : 1L);
            int distinct = 1 + r.nextInt(16); // many ties
            for (int i = 0; i < N; i++) {
                in.put("v_" + i, r.nextBoolean() ? (long) r.nextInt(distinct) : (long) r.nextInt(65536));
            }
            return in;
        }

        /** All-equal scores, sorted and reversed inputs, and a stretch of back-pressure. */
        public List<Map<String, Long>> directed() {
            List<Map<String, Long>> out = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                for (int rep = 0; rep < 6; rep++) {
                    Map<String, Long> in = new LinkedHashMap<>();
                    in.put("rst", 0L);
                    in.put("in_valid", 1L);
                    in.put("out_ready", rep < 3 ? 0L : 1L); // held three cycles, then drained
                    for (int i = 0; i < N; i++) {
                        in.put("v_" + i, c == 0 ? 77L : c == 1 ? (long) i : (long) (N - i) * 1000 + rep);
                    }
                    out.add(in);
                }
            }
            return out;
        }
    }
}
