package cascade.hw.rtl;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Co-simulation of a block's generated RTL (Verilated) against its Java cycle-level model. The
 * harness resets the block for two cycles, plays the directed cycles, then random ones from the
 * seed, through both; after every rising edge it compares every output the model gives. The RTL
 * runs as a Verilator-built C++ testbench that reads the stimulus from a file and writes outputs
 * to another (and, when asked, a VCD). Builds are cached by the content of the Verilog.
 */
public final class Cosim {
    /** The first difference, if any. */
    public record Mismatch(long cycle, String signal, long rtl, long model) {
        @Override
        public String toString() {
            return String.format("cycle %d: %s is 0x%x in the RTL, 0x%x in the Java model", cycle, signal, rtl, model);
        }
    }

    public record Result(String block, long cycles, long mismatches, Mismatch first, double buildSeconds, double runSeconds,
                         double compareSeconds) {
        public double rtlCyclesPerSecond() {
            return cycles / Math.max(runSeconds, 1e-9);
        }
    }

    private final Path work;

    public Cosim(Path work) {
        this.work = work.toAbsolutePath();
    }

    public static boolean verilatorAvailable() {
        try {
            Process p = new ProcessBuilder("verilator", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    public static String verilog(Block b) {
        StringBuilder s = new StringBuilder();
        for (Hdl.Module m : b.modules()) {
            s.append(m.verilog()).append("\n");
        }
        return s.toString();
    }

    /** Writes each module to {@code NAME.v} in {@code dir}; returns the file names, the top last. */
    public static List<String> write(Block b, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        for (Hdl.Module m : b.modules()) {
            Files.writeString(dir.resolve(m.name() + ".v"), m.verilog());
            files.add(m.name() + ".v");
        }
        return files;
    }

    /** {@code verilator --lint-only -Wall}: the warnings it prints (empty when clean). */
    public String lint(Block b) throws IOException, InterruptedException {
        Path dir = work.resolve("lint-" + b.name());
        List<String> cmd = new ArrayList<>(List.of("verilator", "--lint-only", "-Wall", "--top-module", b.top().name()));
        cmd.addAll(write(b, dir));
        Output o = exec(dir, cmd, 300);
        return o.code == 0 && !o.text.contains("%Warning") ? "" : o.text;
    }

    private record Output(int code, String text) {
    }

    private static Output exec(Path dir, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " took more than " + timeoutSeconds + " s");
        }
        return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Builds (or reuses) the Verilated testbench; returns its executable. */
    Path build(Block b) throws IOException, InterruptedException {
        String v = verilog(b);
        Hdl.Module top = b.top();
        String tb = testbench(top);
        String key;
        try {
            key = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(
                (v + tb).getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = work.resolve("build-" + b.name() + "-" + key);
        Path exe = dir.resolve("obj").resolve("V" + top.name());
        if (Files.isExecutable(exe)) {
            return exe;
        }
        List<String> files = write(b, dir);
        Files.writeString(dir.resolve("tb.cpp"), tb);
        List<String> cmd = new ArrayList<>(List.of("verilator", "-Wall", "--cc", "--exe", "--build", "-j", "2", "-O2", "--trace",
            "--top-module", top.name(), "-Mdir", "obj"));
        cmd.addAll(files);
        cmd.add("tb.cpp");
        Output o = exec(dir, cmd, 600);
        if (o.code != 0 || !Files.isExecutable(exe)) {
            throw new IOException("verilator could not build " + b.name() + ":\n" + o.text);
        }
        return exe;
    }

    /** A C++ testbench: per line of the stimulus, set the inputs, clock once, print the outputs. */
    static String testbench(Hdl.Module top) {
        List<Hdl.Signal> ins = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.INPUT && !p.name().equals("clk"))
            .toList();
        List<Hdl.Signal> outs = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.OUTPUT).toList();
        StringBuilder s = new StringBuilder();
        s.append("// Generated by Cascade: drives V").append(top.name()).append(" from a stimulus file.\n");
        s.append("#include \"V").append(top.name()).append(".h\"\n#include \"verilated.h\"\n#include \"verilated_vcd_c.h\"\n");
        s.append("#include <cstdio>\n\nint main(int argc, char** argv) {\n");
        s.append("    if (argc < 3) { std::fprintf(stderr, \"usage: stimulus outputs [vcd]\\n\"); return 2; }\n");
        s.append("    VerilatedContext* ctx = new VerilatedContext;\n    ctx->commandArgs(1, argv);\n");
        s.append("    V").append(top.name()).append("* top = new V").append(top.name()).append("{ctx};\n");
        s.append("    VerilatedVcdC* vcd = nullptr;\n");
        s.append("    if (argc > 3) { ctx->traceEverOn(true); vcd = new VerilatedVcdC; top->trace(vcd, 99); vcd->open(argv[3]); }\n");
        s.append("    std::FILE* in = std::fopen(argv[1], \"r\");\n    std::FILE* out = std::fopen(argv[2], \"w\");\n");
        s.append("    if (!in || !out) { std::fprintf(stderr, \"cannot open files\\n\"); return 2; }\n");
        s.append("    unsigned long long v[").append(Math.max(1, ins.size())).append("];\n    uint64_t t = 0;\n");
        s.append("    for (;;) {\n");
        for (int i = 0; i < ins.size(); i++) {
            s.append("        if (std::fscanf(in, \"%llx\", &v[").append(i).append("]) != 1) break;\n");
        }
        for (int i = 0; i < ins.size(); i++) {
            s.append("        top->").append(ins.get(i).name()).append(" = v[").append(i).append("];\n");
        }
        s.append("        top->clk = 0; top->eval(); if (vcd) vcd->dump(t++);\n");
        s.append("        top->clk = 1; top->eval(); if (vcd) vcd->dump(t++);\n");
        s.append("        std::fprintf(out, \"");
        for (int i = 0; i < outs.size(); i++) {
            s.append(i == 0 ? "" : " ").append("%llx");
        }
        s.append("\\n\"");
        for (Hdl.Signal o : outs) {
            s.append(", (unsigned long long) top->").append(o.name());
        }
        s.append(");\n    }\n");
        s.append("    if (vcd) vcd->close();\n    top->final();\n    std::fclose(out);\n    delete top;\n    delete ctx;\n    return 0;\n}\n");
        return s.toString();
    }

    /** The stimulus: two reset cycles, the directed ones, then random ones up to {@code cycles} in all. */
    public static List<Map<String, Long>> stimulus(Block b, long cycles, long seed) {
        List<Map<String, Long>> s = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Map<String, Long> reset = new LinkedHashMap<>(b.random(new SplittableRandom(seed)));
            reset.replaceAll((k, v) -> 0L);
            reset.put("rst", 1L);
            s.add(reset);
        }
        for (Map<String, Long> d : b.directed()) {
            if (s.size() < cycles) {
                s.add(d);
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        while (s.size() < cycles) {
            s.add(b.random(r));
        }
        return s;
    }

    /** The RTL's outputs after each cycle of {@code stimulus} (inputs as the block names them). */
    public List<Map<String, Long>> rtl(Block b, List<Map<String, Long>> stimulus) throws IOException, InterruptedException {
        Path exe = build(b);
        Hdl.Module top = b.top();
        List<Hdl.Signal> ins = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.INPUT && !p.name().equals("clk"))
            .toList();
        List<Hdl.Signal> outs = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.OUTPUT).toList();
        Path dir = exe.getParent().getParent();
        Path in = dir.resolve("stimulus-direct.txt");
        Path out = dir.resolve("outputs-direct.txt");
        writeStimulus(in, ins, stimulus, b);
        Output o = exec(dir, List.of(exe.toString(), in.toString(), out.toString()), 600);
        if (o.code != 0) {
            throw new IOException("the testbench of " + b.name() + " failed:\n" + o.text);
        }
        List<Map<String, Long>> result = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = 0; i < outs.size(); i++) {
                m.put(outs.get(i).name(), Block.mask(Long.parseUnsignedLong(f[i], 16), outs.get(i).width()));
            }
            result.add(m);
        }
        return result;
    }

    private static void writeStimulus(Path in, List<Hdl.Signal> ins, List<Map<String, Long>> stim, Block b) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            for (Map<String, Long> c : stim) {
                for (int i = 0; i < ins.size(); i++) {
                    Long v = c.get(ins.get(i).name());
                    if (v == null) {
                        throw new IllegalStateException(b.name() + ": stimulus lacks input " + ins.get(i).name());
                    }
                    w.write(Long.toHexString(Block.mask(v, ins.get(i).width())));
                    w.write(i == ins.size() - 1 ? '\n' : ' ');
                }
            }
        }
    }

    public Result run(Block b, long cycles, long seed, boolean bug, Path vcd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path exe = build(b);
        double build = (System.nanoTime() - t0) / 1e9;
        Hdl.Module top = b.top();
        List<Hdl.Signal> ins = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.INPUT && !p.name().equals("clk"))
            .toList();
        List<Hdl.Signal> outs = top.ports().stream().filter(p -> p.kind() == Hdl.Signal.Kind.OUTPUT).toList();
        List<Map<String, Long>> stim = stimulus(b, cycles, seed);
        Path dir = exe.getParent().getParent();
        Path in = dir.resolve("stimulus-" + seed + ".txt");
        Path out = dir.resolve("outputs-" + seed + ".txt");
        writeStimulus(in, ins, stim, b);
        long t1 = System.nanoTime();
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), in.toString(), out.toString()));
        if (vcd != null) {
            cmd.add(vcd.toAbsolutePath().toString());
        }
        Output o = exec(dir, cmd, 600);
        double run = (System.nanoTime() - t1) / 1e9;
        if (o.code != 0) {
            throw new IOException("the testbench of " + b.name() + " failed:\n" + o.text);
        }
        long t2 = System.nanoTime();
        Block.Model model = b.model(bug);
        long mismatches = 0;
        Mismatch first = null;
        try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
            for (int cycle = 0; cycle < stim.size(); cycle++) {
                String line = r.readLine();
                if (line == null) {
                    throw new IOException("the testbench stopped after " + cycle + " cycles");
                }
                String[] f = line.split(" ");
                Map<String, Long> expected = model.step(stim.get(cycle));
                for (int i = 0; i < outs.size(); i++) {
                    Long want = expected.get(outs.get(i).name());
                    if (want == null) {
                        continue;
                    }
                    long got = Block.mask(Long.parseUnsignedLong(f[i], 16), outs.get(i).width());
                    if (got != Block.mask(want, outs.get(i).width())) {
                        mismatches++;
                        if (first == null) {
                            first = new Mismatch(cycle, outs.get(i).name(), got, Block.mask(want, outs.get(i).width()));
                        }
                    }
                }
            }
        }
        double compare = (System.nanoTime() - t2) / 1e9;
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
        return new Result(b.name(), stim.size(), mismatches, first, build, run, compare);
    }
}
