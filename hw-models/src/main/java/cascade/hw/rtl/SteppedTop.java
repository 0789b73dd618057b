package cascade.hw.rtl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A pin-limited top level that steps a core: bits enter on {@code din} while {@code shift_in} is
 * high, into a register as wide as the core's inputs; {@code apply} clocks the core once (its
 * clock enable) with those inputs; {@code capture} copies the core's outputs into a register that
 * {@code shift_out} sends out on {@code dout}, most significant bit first. Eight pins, whatever
 * the core's width, and the host sets the pace, so a run through the pins is cycle for cycle the
 * core's run. The Java model is the core's own, stepped on {@code apply}.
 */
public final class SteppedTop implements Block {
    private final Block core;
    private final Hdl.Module coreTop;
    private final List<Hdl.Signal> ins;
    private final List<Hdl.Signal> outs;
    private final int inWidth;
    private final int outWidth;

    /** {@code core} must be built with a clock enable ({@code ce}). */
    public SteppedTop(Block core) {
        this.core = core;
        this.coreTop = core.top();
        if (!coreTop.hasClockEnable()) {
            throw new IllegalArgumentException(core.name() + " has no clock enable to step it with");
        }
        ins = coreTop.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.INPUT && !List.of("clk", "rst", "ce")
            .contains(p.name())).toList();
        outs = coreTop.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.OUTPUT).toList();
        inWidth = ins.stream().mapToInt(Hdl.Signal::width).sum();
        outWidth = outs.stream().mapToInt(Hdl.Signal::width).sum();
        if (inWidth > 63 || outWidth > 63) {
            throw new IllegalArgumentException(core.name() + ": the stepped top level shifts at most 63 bits each way");
        }
    }

    public int inWidth() {
        return inWidth;
    }

    public int outWidth() {
        return outWidth;
    }

    @Override
    public String name() {
        return "stepped_top";
    }

    @Override
    public List<Hdl.Module> modules() {
        List<Hdl.Module> coreMods = core.modules();
        Hdl.Module m = new Hdl.Module("stepped_top", "pin-limited top level stepping " + coreTop.name() + " (" + inWidth
            + " bits in, " + outWidth + " out)");
        m.clocked();
        Hdl.Expr din = m.input("din", 1, false);
        Hdl.Expr shiftIn = m.input("shift_in", 1, false);
        Hdl.Expr apply = m.input("apply", 1, false);
        Hdl.Expr capture = m.input("capture", 1, false);
        Hdl.Expr shiftOut = m.input("shift_out", 1, false);
        Hdl.Signal dout = m.output("dout", 1, false);
        Hdl.Signal srIn = m.reg("sr_in", inWidth, false, 0);
        m.next(srIn, Hdl.concat(srIn.ref().bits(inWidth - 2, 0), din).when(shiftIn, srIn.ref()));
        Map<String, Hdl.Expr> conn = new LinkedHashMap<>();
        conn.put("ce", apply);
        int at = inWidth;
        for (Hdl.Signal p : ins) {
            Hdl.Expr field = srIn.ref().bits(at - 1, at - p.width());
            at -= p.width();
            conn.put(p.name(), p.signed() ? field.asSigned() : field);
        }
        Map<String, Hdl.Signal> o = new LinkedHashMap<>();
        List<Hdl.Expr> captured = new ArrayList<>();
        for (Hdl.Signal p : outs) {
            Hdl.Signal w = m.wire("core_" + p.name(), p.width(), p.signed());
            o.put(p.name(), w);
            captured.add(w.ref().asUnsigned());
        }
        m.instance(coreTop, "core", conn, o);
        Hdl.Expr all = m.let("captured", Hdl.concat(captured.toArray(Hdl.Expr[]::new)));
        Hdl.Signal srOut = m.reg("sr_out", outWidth, false, 0);
        m.next(srOut, all.when(capture, Hdl.concat(srOut.ref().bits(outWidth - 2, 0), Hdl.constant(0, 1, false))
            .when(shiftOut, srOut.ref())));
        m.assign(dout, srOut.ref().bits(outWidth - 1, outWidth - 1));
        List<Hdl.Module> all2 = new ArrayList<>(coreMods);
        all2.add(m);
        return all2;
    }

    /** The core's inputs as the bits the host shifts in, most significant first. */
    long pack(Map<String, Long> coreInputs) {
        long v = 0;
        for (Hdl.Signal p : ins) {
            v = (v << p.width()) | Block.mask(coreInputs.get(p.name()), p.width());
        }
        return v;
    }

    Map<String, Long> unpackInputs(long v, long rst) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rst", rst);
        int at = inWidth;
        for (Hdl.Signal p : ins) {
            at -= p.width();
            m.put(p.name(), Block.mask(v >>> at, p.width()));
        }
        return m;
    }

    long packOutputs(Map<String, Long> coreOutputs) {
        long v = 0;
        for (Hdl.Signal p : outs) {
            v = (v << p.width()) | Block.mask(coreOutputs.get(p.name()), p.width());
        }
        return v;
    }

    Map<String, Long> unpackOutputs(long v) {
        Map<String, Long> m = new LinkedHashMap<>();
        int at = outWidth;
        for (Hdl.Signal p : outs) {
            at -= p.width();
            m.put(p.name(), Block.mask(v >>> at, p.width()));
        }
        return m;
    }

    @Override
    public Model model(boolean bug) {
        Model coreModel = core.model(bug);
        return new Model() {
            long srIn;
            long srOut;
            Map<String, Long> coreOut = coreModel.step(unpackInputs(0, 1)); // outputs in reset

            @Override
            public Map<String, Long> step(Map<String, Long> in) {
                long rst = in.get("rst");
                boolean apply = in.get("apply") == 1;
                Map<String, Long> before = coreOut;
                if (rst == 1 || apply) {
                    Map<String, Long> ci = unpackInputs(srIn, rst);
                    if (!apply) {
                        ci.replaceAll((k, v) -> k.equals("rst") ? v : 0L); // held: no write, no start
                    }
                    coreOut = coreModel.step(ci);
                }
                if (rst == 1) {
                    srIn = 0;
                    srOut = 0;
                } else {
                    long mIn = (1L << inWidth) - 1;
                    long mOut = (1L << outWidth) - 1;
                    srIn = in.get("shift_in") == 1 ? ((srIn << 1) | in.get("din")) & mIn : srIn;
                    srOut = in.get("capture") == 1 ? packOutputs(before) : in.get("shift_out") == 1 ? (srOut << 1) & mOut : srOut;
                }
                return Map.of("dout", (srOut >>> (outWidth - 1)) & 1);
            }
        };
    }

    /** The pin cycles that run {@code coreCycles} through the core: per core cycle, shift in, apply, capture, shift out. */
    public List<Map<String, Long>> pins(List<Map<String, Long>> coreCycles) {
        List<Map<String, Long>> s = new ArrayList<>();
        for (Map<String, Long> c : coreCycles) {
            if (c.get("rst") == 1) {
                s.add(pin(1, 0, 0, 0, 0, 0));
                continue;
            }
            long bits = pack(c);
            for (int i = inWidth - 1; i >= 0; i--) {
                s.add(pin(0, (bits >>> i) & 1, 1, 0, 0, 0));
            }
            s.add(pin(0, 0, 0, 1, 0, 0));
            s.add(pin(0, 0, 0, 0, 1, 0));
            for (int i = 1; i < outWidth; i++) {
                s.add(pin(0, 0, 0, 0, 0, 1));
            }
        }
        return s;
    }

    /** The core's outputs after each core cycle of a {@link #pins} run, read back from {@code dout}. */
    public List<Map<String, Long>> coreOutputs(List<Map<String, Long>> coreCycles, List<Map<String, Long>> pinOutputs) {
        List<Map<String, Long>> out = new ArrayList<>();
        int at = 0;
        Map<String, Long> resetOut = null;
        for (Map<String, Long> c : coreCycles) {
            if (c.get("rst") == 1) {
                at++;
                if (resetOut == null) {
                    resetOut = unpackOutputs(0);
                }
                out.add(resetOut);
                continue;
            }
            at += inWidth + 1; // shifted in, applied
            long v = 0;
            for (int i = 0; i < outWidth; i++) {
                v = (v << 1) | pinOutputs.get(at + i).get("dout");
            }
            at += outWidth;
            out.add(unpackOutputs(v));
        }
        return out;
    }

    private static Map<String, Long> pin(long rst, long din, long shiftIn, long apply, long capture, long shiftOut) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rst", rst);
        m.put("din", din);
        m.put("shift_in", shiftIn);
        m.put("apply", apply);
        m.put("capture", capture);
        m.put("shift_out", shiftOut);
        return m;
    }

    @Override
    public Map<String, Long> random(SplittableRandom r) {
        return pin(0, r.nextInt(2), r.nextInt(2), r.nextInt(8) == 0 ? 1 : 0, r.nextInt(16) == 0 ? 1 : 0, r.nextInt(2));
    }

    /** The core's own directed cycles, through the pins. */
    @Override
    public List<Map<String, Long>> directed() {
        return pins(core.directed());
    }
}
