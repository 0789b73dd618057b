package cascade.hw.rtl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A top level for a small FPGA: a systolic array and a vector unit behind a serial interface of
 * eight pins (the UP5K's sg48 package has far fewer pins than the array has inputs). Bits enter
 * on {@code din} while {@code shift_in} is high, into a register as wide as the cores' inputs;
 * {@code apply} hands them to the cores for one cycle (their enables are gated by it); {@code
 * capture} copies every core output into a register that {@code shift_out} sends out on {@code
 * dout}, most significant bit first.
 */
public final class SerialTop {
    private SerialTop() {
    }

    /** The configuration {@code default}: a 4×4 int8 array and a 4-lane vector unit. */
    public static Block.Config defaults() {
        return new Block.Config(4, 4, 4);
    }

    public static List<Hdl.Module> modules(Block.Config cfg) {
        Blocks.Systolic array = new Blocks.Systolic(cfg.rows(), cfg.cols());
        Blocks.Vector vector = new Blocks.Vector(cfg.lanes());
        List<Hdl.Module> arrayMods = array.modules();
        List<Hdl.Module> vectorMods = vector.modules();
        Hdl.Module a = arrayMods.getLast();
        Hdl.Module v = vectorMods.getLast();
        Hdl.Module m = new Hdl.Module("serial_top", "serial-interface top level: " + a.name() + " and " + v.name());
        m.clocked();
        Hdl.Expr din = m.input("din", 1, false);
        Hdl.Expr shiftIn = m.input("shift_in", 1, false);
        Hdl.Expr apply = m.input("apply", 1, false);
        Hdl.Expr capture = m.input("capture", 1, false);
        Hdl.Expr shiftOut = m.input("shift_out", 1, false);
        Hdl.Signal dout = m.output("dout", 1, false);
        List<Hdl.Signal> coreIns = new ArrayList<>();
        for (Hdl.Module core : List.of(a, v)) {
            for (Hdl.Signal p : core.ports()) {
                if (p.kind() == Hdl.Signal.Kind.INPUT && !p.name().equals("clk") && !p.name().equals("rst")) {
                    coreIns.add(p);
                }
            }
        }
        int inWidth = coreIns.stream().mapToInt(Hdl.Signal::width).sum();
        Hdl.Signal srIn = m.reg("sr_in", inWidth, false, 0);
        m.next(srIn, Hdl.concat(srIn.ref().bits(inWidth - 2, 0), din).when(shiftIn, srIn.ref()));
        Map<String, Map<String, Hdl.Expr>> connections = new LinkedHashMap<>();
        int at = inWidth;
        int index = 0;
        for (Hdl.Module core : List.of(a, v)) {
            Map<String, Hdl.Expr> in = new LinkedHashMap<>();
            for (Hdl.Signal p : core.ports()) {
                if (p.kind() != Hdl.Signal.Kind.INPUT || p.name().equals("clk") || p.name().equals("rst")) {
                    continue;
                }
                Hdl.Expr field = srIn.ref().bits(at - 1, at - p.width());
                at -= p.width();
                if (p.signed()) {
                    field = field.asSigned();
                }
                if (p.name().equals("en") || p.name().equals("clear")) {
                    field = m.let("gated_" + p.name() + "_" + index, field.and(apply));
                }
                in.put(p.name(), field);
            }
            connections.put(core.name(), in);
            index++;
        }
        List<Hdl.Signal> coreOuts = new ArrayList<>();
        Map<String, Map<String, Hdl.Signal>> outs = new LinkedHashMap<>();
        for (Hdl.Module core : List.of(a, v)) {
            Map<String, Hdl.Signal> o = new LinkedHashMap<>();
            for (Hdl.Signal p : core.ports()) {
                if (p.kind() == Hdl.Signal.Kind.OUTPUT) {
                    Hdl.Signal w = m.wire(core.name().replace("_", "") + "_" + p.name(), p.width(), p.signed());
                    o.put(p.name(), w);
                    coreOuts.add(w);
                }
            }
            outs.put(core.name(), o);
        }
        m.instance(a, "array", connections.get(a.name()), outs.get(a.name()));
        m.instance(v, "vector", connections.get(v.name()), outs.get(v.name()));
        int outWidth = coreOuts.stream().mapToInt(Hdl.Signal::width).sum();
        Hdl.Expr all = Hdl.concat(coreOuts.stream().map(s -> s.ref().asUnsigned()).toArray(Hdl.Expr[]::new));
        Hdl.Expr allNamed = m.let("captured", all);
        Hdl.Signal srOut = m.reg("sr_out", outWidth, false, 0);
        m.next(srOut, allNamed.when(capture, Hdl.concat(srOut.ref().bits(outWidth - 2, 0), Hdl.constant(0, 1, false))
            .when(shiftOut, srOut.ref())));
        m.assign(dout, srOut.ref().bits(outWidth - 1, outWidth - 1));
        List<Hdl.Module> all2 = new ArrayList<>(arrayMods.subList(0, arrayMods.size() - 1));
        all2.add(a);
        all2.addAll(vectorMods);
        all2.add(m);
        return all2;
    }
}
