package cascade.hw.rtl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cascade's small hardware-construction layer: a module is ports, wires and registers with
 * widths, combinational assignments, registered updates on the rising clock (synchronous reset),
 * and instances of other modules; Java loops do what generate blocks would. Expressions carry
 * their width and signedness; an assignment whose widths differ is refused, naming both sides.
 * {@link #verilog()} emits readable Verilog-2005 with stable names, lint-clean under
 * {@code verilator --lint-only -Wall}. The ideas are SpinalHDL's and Chisel's — named signals,
 * width checks, generators in the host language — kept to what Cascade's blocks need.
 */
public final class Hdl {
    /** A value: its Verilog text, width and signedness. */
    public record Expr(String text, int width, boolean signed) {
        public Expr {
            if (width < 1) {
                throw new IllegalArgumentException("a signal is at least 1 bit wide: " + text);
            }
        }

        private Expr binary(String op, Expr o, int w) {
            return new Expr("(" + text + " " + op + " " + o.text + ")", w, signed && o.signed);
        }

        private void same(Expr o, String op) {
            if (o.width != width || o.signed != signed) {
                throw new IllegalArgumentException("'" + op + "' of " + describe() + " and " + o.describe()
                    + ": widths and signedness must agree (resize one)");
            }
        }

        public String describe() {
            return text + " (" + (signed ? "signed " : "") + width + " bits)";
        }

        public Expr add(Expr o) {
            same(o, "+");
            return binary("+", o, width);
        }

        public Expr sub(Expr o) {
            same(o, "-");
            return binary("-", o, width);
        }

        /** A full-width product: the widths add. */
        public Expr mul(Expr o) {
            if (o.signed != signed) {
                throw new IllegalArgumentException("'*' of " + describe() + " and " + o.describe() + ": signedness must agree");
            }
            return new Expr("(" + resize(width + o.width).text + " * " + o.resize(width + o.width).text + ")", width + o.width,
                signed);
        }

        public Expr gt(Expr o) {
            same(o, ">");
            return new Expr("(" + text + " > " + o.text + ")", 1, false);
        }

        public Expr ge(Expr o) {
            same(o, ">=");
            return new Expr("(" + text + " >= " + o.text + ")", 1, false);
        }

        public Expr eq(Expr o) {
            same(o, "==");
            return new Expr("(" + text + " == " + o.text + ")", 1, false);
        }

        public Expr and(Expr o) {
            same(o, "&");
            return binary("&", o, width);
        }

        public Expr or(Expr o) {
            same(o, "|");
            return binary("|", o, width);
        }

        public Expr not() {
            return new Expr("(~" + text + ")", width, signed);
        }

        /** Whether this is a named signal, which Verilog lets one select bits of. */
        public boolean named() {
            return text.matches("[a-z][a-z0-9_]*");
        }

        private void mustBeNamed(String what) {
            if (!named()) {
                throw new IllegalArgumentException(what + " of " + describe() + ": name the value first (Module.let)");
            }
        }

        /** Bits [hi:lo], unsigned. */
        public Expr bits(int hi, int lo) {
            mustBeNamed("bits");
            if (hi >= width || lo < 0 || hi < lo) {
                throw new IllegalArgumentException("bits [" + hi + ":" + lo + "] of " + describe());
            }
            return new Expr(text + "[" + hi + ":" + lo + "]", hi - lo + 1, false);
        }

        public Expr asSigned() {
            return new Expr("$signed(" + text + ")", width, true);
        }

        public Expr asUnsigned() {
            return new Expr("$unsigned(" + text + ")", width, false);
        }

        /** Sign- or zero-extends, or keeps the low bits. */
        public Expr resize(int w) {
            if (w == width) {
                return this;
            }
            mustBeNamed("resize");
            if (w < width) {
                Expr low = new Expr(text + "[" + (w - 1) + ":0]", w, false);
                return signed ? low.asSigned() : low;
            }
            String ext = signed ? "{{" + (w - width) + "{" + text + "[" + (width - 1) + "]}}, " + text + "}"
                : "{{" + (w - width) + "{1'b0}}, " + text + "}";
            Expr e = new Expr(ext, w, false);
            return signed ? e.asSigned() : e;
        }

        /** {@code cond ? this : other}. */
        public Expr when(Expr cond, Expr other) {
            if (cond.width != 1) {
                throw new IllegalArgumentException("a condition is 1 bit: " + cond.describe());
            }
            same(other, "?:");
            return new Expr("(" + cond.text + " ? " + text + " : " + other.text + ")", width, signed);
        }
    }

    public static Expr constant(long value, int width, boolean signed) {
        if (signed) {
            if (value < 0) {
                return new Expr("(-" + width + "'sd" + (-value) + ")", width, true);
            }
            return new Expr(width + "'sd" + value, width, true);
        }
        return new Expr(width + "'d" + Long.toUnsignedString(value), width, false);
    }

    /** {@code x == v}, the constant as wide as {@code x} (unsigned). */
    public static Expr is(Expr x, long v) {
        return x.eq(constant(v, x.width(), false));
    }

    /** {@code options[sel]} as a chain of selections; the last option where {@code sel} is beyond them. */
    public static Expr select(Expr sel, List<Expr> options) {
        Expr e = options.getLast();
        for (int i = options.size() - 2; i >= 0; i--) {
            e = options.get(i).when(is(sel, i), e);
        }
        return e;
    }

    public static Expr concat(Expr... parts) {
        StringBuilder b = new StringBuilder("{");
        int w = 0;
        for (int i = 0; i < parts.length; i++) {
            b.append(i == 0 ? "" : ", ").append(parts[i].text);
            w += parts[i].width;
        }
        return new Expr(b.append("}").toString(), w, false);
    }

    /** A port, wire or register. */
    public record Signal(String name, int width, boolean signed, Kind kind) {
        public enum Kind { INPUT, OUTPUT, WIRE, REG }

        public Expr ref() {
            return new Expr(name, width, signed);
        }
    }

    /** A module under construction. */
    public static final class Module {
        private final String name;
        private final String comment;
        private final Map<String, Signal> signals = new LinkedHashMap<>();
        private final List<String> assigns = new ArrayList<>();
        private final List<String> updates = new ArrayList<>();
        private final List<String> resets = new ArrayList<>();
        private final List<String> instances = new ArrayList<>();
        private final Map<String, Boolean> driven = new LinkedHashMap<>();
        private boolean clocked;
        private boolean enabled;

        public Module(String name, String comment) {
            this.name = name;
            this.comment = comment;
        }

        public String name() {
            return name;
        }

        public List<Signal> ports() {
            return signals.values().stream().filter(s -> s.kind() == Signal.Kind.INPUT || s.kind() == Signal.Kind.OUTPUT)
                .toList();
        }

        private Signal declare(String n, int width, boolean signed, Signal.Kind kind) {
            if (!n.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("signal names are lower_case: " + n);
            }
            Signal s = new Signal(n, width, signed, kind);
            if (signals.putIfAbsent(n, s) != null) {
                throw new IllegalArgumentException(name + " declares " + n + " twice");
            }
            return s;
        }

        /** The clock and the synchronous, active-high reset. */
        public void clocked() {
            if (!clocked) {
                declare("clk", 1, false, Signal.Kind.INPUT);
                declare("rst", 1, false, Signal.Kind.INPUT);
                clocked = true;
            }
        }

        /**
         * A clock enable, input {@code ce}: registers, memories and tables change only on edges
         * where it is high (reset still acts on every edge). What lets a slow host step a block.
         */
        public void clockEnable() {
            clocked();
            if (!enabled) {
                declare("ce", 1, false, Signal.Kind.INPUT);
                enabled = true;
            }
        }

        public boolean hasClockEnable() {
            return enabled;
        }

        public Expr input(String n, int width, boolean signed) {
            return declare(n, width, signed, Signal.Kind.INPUT).ref();
        }

        public Signal output(String n, int width, boolean signed) {
            return declare(n, width, signed, Signal.Kind.OUTPUT);
        }

        public Signal wire(String n, int width, boolean signed) {
            return declare(n, width, signed, Signal.Kind.WIRE);
        }

        /** A wire named {@code n} carrying {@code value}: how an expression gets a name to slice or extend. */
        public Expr let(String n, Expr value) {
            Signal s = wire(n, value.width(), value.signed());
            assign(s, value);
            return s.ref();
        }

        /** A register with its reset value; an output is registered by naming it with {@link #registerOutput}. */
        public Signal reg(String n, int width, boolean signed, long reset) {
            clocked();
            Signal s = declare(n, width, signed, Signal.Kind.REG);
            resets.add(n + " <= " + constant(reset, width, signed).text() + ";");
            return s;
        }

        /** An output driven by a register of the same name. */
        public Signal registerOutput(String n, int width, boolean signed, long reset) {
            clocked();
            Signal s = declare(n, width, signed, Signal.Kind.OUTPUT);
            resets.add(n + " <= " + constant(reset, width, signed).text() + ";");
            regOutputs.add(n);
            return s;
        }

        private final List<String> regOutputs = new ArrayList<>();
        private final List<String> memories = new ArrayList<>();
        private final List<String> memoryPorts = new ArrayList<>();

        /**
         * A read-only table of {@code values.length} words (a power of two) read synchronously:
         * the returned register holds {@code values[address]} one clock edge later. Emitted as a
         * memory with its contents in an {@code initial} block, which yosys maps to initialised
         * EBR and Verilator runs as is.
         */
        public Signal rom(String n, int width, long[] values, Expr address) {
            int depth = values.length;
            if (depth < 2 || Integer.bitCount(depth) != 1 || address.width() != Integer.numberOfTrailingZeros(depth)) {
                throw new IllegalArgumentException(name + ": table " + n + " needs a power-of-two length and a matching address");
            }
            clocked();
            Signal data = declare(n + "_q", width, false, Signal.Kind.REG);
            driven.put(data.name(), true);
            StringBuilder init = new StringBuilder("reg  " + range(width) + n + " [0:" + (depth - 1) + "];\n    initial begin\n");
            for (int i = 0; i < depth; i++) {
                if (values[i] < 0 || (width < 63 && values[i] >= 1L << width)) {
                    throw new IllegalArgumentException(name + ": table " + n + " entry " + i + " does not fit " + width + " bits");
                }
                init.append("        ").append(n).append("[").append(i).append("] = ").append(width).append("'d")
                    .append(values[i]).append(";\n");
            }
            memories.add(init.append("    end").toString());
            memoryPorts.add(data.name() + " <= " + n + "[" + address.text() + "];");
            return data;
        }

        /**
         * A memory of {@code depth} words (a power of two, so every address is in range) with one
         * synchronous write port and one synchronous read port: {@code data} is the word at
         * {@code readAddress} one clock edge later. Not reset (block RAM cannot be), which is the
         * shape yosys infers as iCE40 EBR. Returns the read data register.
         */
        public Signal memory(String n, int width, int depth, Expr writeEnable, Expr writeAddress, Expr writeData,
                             Expr readAddress) {
            if (depth < 2 || Integer.bitCount(depth) != 1) {
                throw new IllegalArgumentException(name + ": memory " + n + " needs a power-of-two depth, not " + depth);
            }
            int aw = Integer.numberOfTrailingZeros(depth);
            if (writeAddress.width() != aw || readAddress.width() != aw || writeData.width() != width
                    || writeEnable.width() != 1) {
                throw new IllegalArgumentException(name + ": memory " + n + " of " + depth + " x " + width
                    + " bits needs " + aw + "-bit addresses, " + width + "-bit data and a 1-bit enable");
            }
            clocked();
            if (!n.matches("[a-z][a-z0-9_]*") || signals.containsKey(n)) {
                throw new IllegalArgumentException(name + ": bad or repeated memory name " + n);
            }
            Signal data = declare(n + "_q", width, writeData.signed(), Signal.Kind.REG);
            driven.put(data.name(), true);
            memories.add("reg  " + (writeData.signed() ? "signed " : "") + range(width) + n + " [0:" + (depth - 1) + "];");
            memoryPorts.add("if (" + writeEnable.text() + ") " + n + "[" + writeAddress.text() + "] <= " + writeData.text()
                + ";\n        " + data.name() + " <= " + n + "[" + readAddress.text() + "];");
            return data;
        }

        private void check(Signal target, Expr value) {
            if (target.width() != value.width() || target.signed() != value.signed()) {
                throw new IllegalArgumentException(name + ": " + target.name() + " (" + (target.signed() ? "signed " : "")
                    + target.width() + " bits) cannot take " + value.describe());
            }
            if (driven.put(target.name(), true) != null) {
                throw new IllegalArgumentException(name + ": " + target.name() + " is driven twice");
            }
        }

        /** {@code assign target = value}. */
        public void assign(Signal target, Expr value) {
            check(target, value);
            assigns.add("assign " + target.name() + " = " + value.text() + ";");
        }

        /** {@code target <= value} on every rising clock edge out of reset. */
        public void next(Signal target, Expr value) {
            check(target, value);
            updates.add(target.name() + " <= " + value.text() + ";");
        }

        /** An instance of {@code m}, its ports connected by name. */
        public void instance(Module m, String instanceName, Map<String, Expr> connections, Map<String, Signal> outputs) {
            List<String> conns = new ArrayList<>();
            for (Signal p : m.ports()) {
                if (p.kind() == Signal.Kind.INPUT) {
                    Expr e = p.name().equals("clk") || p.name().equals("rst") ? signals.get(p.name()).ref()
                        : connections.get(p.name());
                    if (e == null || e.width() != p.width()) {
                        throw new IllegalArgumentException(instanceName + "." + p.name() + " needs " + p.width() + " bits"
                            + (e == null ? ", unconnected" : ", got " + e.describe()));
                    }
                    conns.add("." + p.name() + "(" + e.text() + ")");
                } else {
                    Signal s = outputs.get(p.name());
                    if (s == null || s.width() != p.width()) {
                        throw new IllegalArgumentException(instanceName + "." + p.name() + " needs a " + p.width() + "-bit wire");
                    }
                    if (driven.put(s.name(), true) != null) {
                        throw new IllegalArgumentException(name + ": " + s.name() + " is driven twice");
                    }
                    conns.add("." + p.name() + "(" + s.name() + ")");
                }
            }
            instances.add(m.name() + " " + instanceName + " (\n        " + String.join(",\n        ", conns) + "\n    );");
        }

        public String verilog() {
            for (Signal s : signals.values()) {
                if ((s.kind() == Signal.Kind.OUTPUT || s.kind() == Signal.Kind.WIRE || s.kind() == Signal.Kind.REG)
                        && !driven.containsKey(s.name())) {
                    throw new IllegalArgumentException(name + ": " + s.name() + " is never driven");
                }
            }
            StringBuilder b = new StringBuilder();
            b.append("// ").append(comment).append("\n// Generated by Cascade (cascade.hw.rtl); do not edit.\n");
            b.append("module ").append(name).append(" (\n");
            List<String> ports = new ArrayList<>();
            for (Signal p : ports()) {
                boolean reg = regOutputs.contains(p.name());
                ports.add("    " + (p.kind() == Signal.Kind.INPUT ? "input  wire " : reg ? "output reg  " : "output wire ")
                    + (p.signed() ? "signed " : "") + range(p.width()) + p.name());
            }
            b.append(String.join(",\n", ports)).append("\n);\n");
            String body = String.join("\n", assigns) + "\n" + String.join("\n", updates) + "\n" + String.join("\n", instances)
                + "\n" + String.join("\n", memoryPorts);
            for (Signal s : signals.values()) {
                if (s.kind() == Signal.Kind.WIRE || s.kind() == Signal.Kind.REG) {
                    // A signal read only in slices may leave bits unread on purpose (a saturated value's sign
                    // extension, a fraction's low bits): say so to the linter rather than hide other warnings.
                    boolean sliced = java.util.regex.Pattern.compile("\\b" + s.name() + "\\[").matcher(body).find();
                    String decl = (s.kind() == Signal.Kind.WIRE ? "wire " : "reg  ") + (s.signed() ? "signed " : "")
                        + range(s.width()) + s.name() + ";";
                    b.append("    ").append(sliced ? "/* verilator lint_off UNUSEDSIGNAL */ " + decl + " /* verilator lint_on UNUSEDSIGNAL */"
                        : decl).append("\n");
                }
            }
            for (String mem : memories) {
                b.append("    ").append(mem).append("\n");
            }
            for (String a : assigns) {
                b.append("    ").append(a).append("\n");
            }
            for (String i : instances) {
                b.append("    ").append(i).append("\n");
            }
            if (!updates.isEmpty() || !resets.isEmpty()) {
                b.append("    always @(posedge clk) begin\n        if (rst) begin\n");
                for (String r : resets) {
                    b.append("            ").append(r).append("\n");
                }
                b.append(enabled ? "        end else if (ce) begin\n" : "        end else begin\n");
                for (String u : updates) {
                    b.append("            ").append(u).append("\n");
                }
                b.append("        end\n    end\n");
            }
            for (String port : memoryPorts) {
                b.append(enabled ? "    always @(posedge clk) if (ce) begin\n        " : "    always @(posedge clk) begin\n        ")
                    .append(port).append("\n    end\n");
            }
            return b.append("endmodule\n").toString();
        }

        private static String range(int width) {
            return width == 1 ? "" : String.format(Locale.ROOT, "[%d:0] ", width - 1);
        }
    }

    private Hdl() {
    }
}
