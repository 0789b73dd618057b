package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.rtl.AttentionCore;
import cascade.hw.rtl.AttentionParams;
import cascade.hw.rtl.Block;
import cascade.hw.rtl.Blocks;
import cascade.hw.rtl.Cosim;
import cascade.hw.rtl.Fpga;
import cascade.hw.rtl.SteppedTop;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rtl", mixinStandardHelpOptions = true,
    description = "Generated RTL: list the blocks, emit Verilog, co-simulate against the Java models, build iCE40 bitstreams.",
    subcommands = {RtlCommand.ListBlocks.class, RtlCommand.Emit.class, RtlCommand.Cosimulate.class, RtlCommand.RunCore.class,
        RtlCommand.Bitstream.class})
final class RtlCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Map<String, Integer> params(List<String> given) {
        Map<String, Integer> p = new LinkedHashMap<>();
        for (String g : given) {
            String[] kv = g.split("=", 2);
            if (kv.length != 2 || !List.of("rows", "cols", "lanes").contains(kv[0])) {
                throw new InvalidInputException(new SourcePos("--param", 1, 1), "expected rows=N, cols=N or lanes=N, found '" + g + "'");
            }
            try {
                p.put(kv[0], Integer.parseInt(kv[1]));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(new SourcePos("--param", 1, 1), kv[0] + " must be a whole number, found '" + kv[1] + "'");
            }
        }
        return p;
    }

    /** The block a subcommand works on: its name and parameters. */
    static final class BlockChoice {
        @Parameters(paramLabel = "BLOCK")
        String name;

        @Option(names = "--param", description = "rows=N, cols=N (systolic), lanes=N (vector); rows=N scores, lanes=N "
            + "comparators (quickselect)")
        List<String> params = new ArrayList<>();

        @Option(names = "--arch", paramLabel = "FILE", description = "attention: the architecture file of the core "
            + "(default: the built-in " + AttentionParams.DEFAULT_FILE + ")")
        Path arch;

        Block block() throws IOException {
            if (name.equals("attention")) {
                if (!params.isEmpty()) {
                    throw new InvalidInputException(new SourcePos("--param", 1, 1), "the attention core takes its parameters"
                        + " from --arch FILE (its arrays and rtl: section)");
                }
                return new AttentionCore(loadCore(arch).params());
            }
            if (arch != null) {
                throw new InvalidInputException(new SourcePos("--arch", 1, 1), "only the attention block is built from an"
                    + " architecture file");
            }
            Map<String, Integer> p = params(params);
            return Inputs.option("BLOCK", () -> Blocks.of(name, p));
        }
    }

    /** An architecture file's core, or the built-in one; its text too (the simulator reads the same file). */
    record CoreFile(String text, AttentionParams params) {
    }

    static CoreFile loadCore(Path arch) throws IOException {
        return loadCore(arch, AttentionParams.DEFAULT_FILE);
    }

    /** {@code arch}, or where it is not given the built-in file {@code builtIn}. */
    static CoreFile loadCore(Path arch, String builtIn) throws IOException {
        if (arch == null) {
            String text = AttentionParams.builtInText(builtIn);
            return new CoreFile(text, AttentionParams.load(builtIn, text));
        }
        if (!Files.isRegularFile(arch)) {
            throw new InvalidInputException(new SourcePos("--arch", 1, 1), "no such file: " + arch);
        }
        String text = Files.readString(arch);
        // The simulator must be able to run the file too: load it as an architecture first.
        cascade.hw.ArchitectureLoader.parse(arch.toString(), text);
        return new CoreFile(text, AttentionParams.load(arch.toString(), text));
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
        description = "Random Q, K, V through the Verilated attention core: its cycles beside the cycle-level simulator's on "
            + "the same architecture, its AV against the bit-exact model and the fp32 executor.",
        footer = {"", "Example:", "  ./cascade rtl run attention --seq 64 --seed 1 --format json"})
    static final class RunCore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "BLOCK", description = "attention")
        String name;

        @Option(names = "--arch", paramLabel = "FILE", description = "the core's architecture file (default: built-in)")
        Path arch;

        @Option(names = "--seq", defaultValue = "64", description = "tokens a head, N (default ${DEFAULT-VALUE})")
        int seq;

        @Option(names = "--heads", defaultValue = "1", description = "heads, one after another (default ${DEFAULT-VALUE})")
        int heads;

        @Option(names = "--seed", defaultValue = "1", description = "seed of the inputs (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--work", defaultValue = "target/rtl", description = "build folder (default ${DEFAULT-VALUE})")
        Path work;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() throws IOException, InterruptedException {
            if (!name.equals("attention")) {
                throw new InvalidInputException(new SourcePos("BLOCK", 1, 1), "rtl run runs the attention core; found '" + name
                    + "' (co-simulate the other blocks with rtl cosim)");
            }
            CoreFile file = loadCore(arch);
            AttentionParams p = file.params();
            if (seq < p.cols() || seq % p.cols() != 0 || seq > p.tokens()) {
                throw new InvalidInputException(new SourcePos("--seq", 1, 1), "the core runs a multiple of its chunk ("
                    + p.cols() + " keys) up to its memories' " + p.tokens() + " tokens; not " + seq);
            }
            if (heads < 1 || heads > p.heads()) {
                throw new InvalidInputException(new SourcePos("--heads", 1, 1), "the memories hold 1 to " + p.heads()
                    + " heads; not " + heads);
            }
            AttentionCore core = new AttentionCore(p);
            AttentionCore.Inputs in = AttentionCore.Inputs.random(p, heads, seq, seed);
            List<Map<String, Long>> stim = core.stimulus(in);
            AttentionCore.Outputs rtl = core.collect(in, stim, new Cosim(work).rtl(core, stim));
            AttentionCore.Outputs model = core.collect(in, stim, core.modelOutputs(stim));
            double[][][] ref = RtlAttention.executor(p, in);
            long simulator = RtlAttention.simulatorCycles(file.text(), p, seq, heads, work);
            RtlAttention.Agreement a = RtlAttention.compare(p, rtl.av(), model.av(), ref);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("block", core.name());
            json.put("seq", seq);
            json.put("heads", heads);
            json.put("seed", seed);
            json.put("rtlCycles", rtl.cycles());
            json.put("modelCycles", model.cycles());
            json.put("formulaCycles", AttentionCore.cycles(p, seq, heads));
            json.put("simulatorCycles", simulator);
            json.put("simulatorOverRtl", simulator / (double) rtl.cycles());
            json.put("quantizedMismatches", a.mismatches());
            json.put("outputs", a.outputs());
            json.put("maxRelativeError", a.maxRelativeError());
            PrintWriter out = spec.commandLine().getOut();
            if (format == Output.Format.json) {
                Output.json(out, json);
            } else {
                out.printf(Locale.ROOT, "attention core, %d head(s) of %d tokens: RTL %d cycles (model %d, formula %d), cycle-level"
                        + " simulator %d (%.2fx); %d of %d outputs differ from the bit-exact model; max error %.4f of the largest"
                        + " fp32 output%n", heads, seq, rtl.cycles(), model.cycles(), AttentionCore.cycles(p, seq, heads), simulator,
                    simulator / (double) rtl.cycles(), a.mismatches(), a.outputs(), a.maxRelativeError());
            }
            return a.mismatches() == 0 ? 0 : 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The blocks and their parameters.")
    static final class ListBlocks implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<List<String>> rows = List.of(
                List.of("mac", "int8 x int8 multiply-accumulate into int32 (wrapping)", "-"),
                List.of("mac-q", "Q1.7 x Q1.7 multiply-accumulate, saturating Q2.14 accumulator", "-"),
                List.of("systolic", "RxC output-stationary int8 array with input skew and drain", "rows=4 cols=4"),
                List.of("vector", "Q8.8 vector unit: add (saturating), max, exp (piecewise linear)", "lanes=4"),
                List.of("topk", "bitonic sort of 8 scores, ties to the lower index, valid/ready stage", "-"),
                List.of("attention", "1-pass attention core: RxC array, R lanes, Q/K/V memories, drain dividers",
                    "--arch FILE (" + AttentionParams.DEFAULT_FILE + ")"),
                List.of("quickselect", "SpAtten's quick-select top-k: int16 scores, P comparators, LFSR pivots",
                    "rows=32 (scores) lanes=4 (comparators)"));
            Output.table(spec.commandLine().getOut(), List.of("block", "what", "parameters (default)"), rows);
            return 0;
        }
    }

    @Command(name = "emit", mixinStandardHelpOptions = true, description = "Write a block's Verilog, one file per module.",
        footer = {"", "Example:", "  ./cascade rtl emit systolic --param rows=8 --param cols=8 --out rtl-out"})
    static final class Emit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        BlockChoice choice;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Override
        public Integer call() throws IOException {
            Block b = choice.block();
            List<String> files = Cosim.write(b, out);
            spec.commandLine().getOut().println("wrote " + String.join(", ", files) + " to " + out);
            return 0;
        }
    }

    @Command(name = "cosim", mixinStandardHelpOptions = true,
        description = "Co-simulate a block's Verilated RTL against its Java model, every output every cycle.",
        footer = {"", "Example:", "  ./cascade rtl cosim systolic --cycles 100000 --seed 1 --format json"})
    static final class Cosimulate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        BlockChoice choice;

        @Option(names = "--cycles", defaultValue = "100000", description = "cycles (default ${DEFAULT-VALUE})")
        long cycles;

        @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--vcd", paramLabel = "FILE", description = "write the RTL's waveforms")
        Path vcd;

        @Option(names = "--work", defaultValue = "target/rtl", description = "build folder (default ${DEFAULT-VALUE})")
        Path work;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() throws IOException, InterruptedException {
            if (cycles < 3 || cycles > 100_000_000) {
                throw new InvalidInputException(new SourcePos("--cycles", 1, 1), "must be between 3 and 100,000,000");
            }
            Block b = choice.block();
            Cosim.Result r = new Cosim(work).run(b, cycles, seed, false, vcd);
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("block", r.block());
            json.put("cycles", r.cycles());
            json.put("mismatches", r.mismatches());
            json.put("firstMismatch", r.first() == null ? null : r.first().toString());
            if (r.modelBusyCycles() >= 0) {
                json.put("rtlCycles", r.rtlBusyCycles());
                json.put("modelCycles", r.modelBusyCycles());
            }
            json.put("buildSeconds", r.buildSeconds());
            json.put("rtlSeconds", r.runSeconds());
            json.put("compareSeconds", r.compareSeconds());
            if (format == Output.Format.json) {
                Output.json(out, json);
            } else {
                out.printf(Locale.ROOT, "%s: %d cycles, %d mismatches%s (build %.1f s, RTL %.2f s, model and compare %.2f s)%s%n",
                    r.block(), r.cycles(), r.mismatches(), r.first() == null ? "" : "; first: " + r.first(), r.buildSeconds(),
                    r.runSeconds(), r.compareSeconds(), r.modelBusyCycles() < 0 ? "" : String.format(Locale.ROOT,
                        "; busy: RTL %d cycles, engine model %d", r.rtlBusyCycles(), r.modelBusyCycles()));
            }
            return r.mismatches() == 0 ? 0 : 1;
        }
    }

    @Command(name = "bitstream", mixinStandardHelpOptions = true,
        description = "Synthesise, place and route a configuration for an iCE40 and pack its bitstream.",
        footer = {"", "Configurations: default (2x2 array + 2 lanes, fits both), RxC[+L] such as 4x4+4, or attention (the",
            "attention core of --arch FILE behind a stepped serial top level, with its board-level and post-synthesis checks).", "",
            "Example:", "  ./cascade rtl bitstream default --device up5k --out fpga-out"})
    static final class Bitstream implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "CONFIG")
        String config;

        @Option(names = "--device", required = true, description = "up5k or hx8k")
        String device;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Option(names = "--arch", paramLabel = "FILE", description = "attention: the core's architecture file (default: the"
            + " built-in rtl/attention-up5k.yaml)")
        Path arch;

        @Option(names = "--seed", defaultValue = "1", description = "attention: seed of the inputs of the checks (default "
            + "${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws IOException, InterruptedException {
            boolean attention = config.equals("attention");
            if (!attention && arch != null) {
                throw new InvalidInputException(new SourcePos("--arch", 1, 1), "only the attention configuration is built from"
                    + " an architecture file");
            }
            Block.Config cfg = attention ? null : parse(config);
            CoreFile core = attention ? loadCore(arch, AttentionParams.UP5K_FILE) : null;
            Fpga.Device d = Inputs.option("--device", () -> Fpga.Device.of(device));
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new InvalidInputException(new SourcePos("--out", 1, 1), out + " is not a folder");
            }
            Fpga.Report r;
            SteppedTop top = attention ? new SteppedTop(new AttentionCore(core.params(), true)) : null;
            try {
                r = attention ? Fpga.build(top.modules(), top.top().name(), core.params().describe(), d, out)
                    : Fpga.build(cfg, d, out);
            } catch (Fpga.DoesNotFit e) {
                spec.commandLine().getErr().println("cascade: " + e.getMessage());
                return 1;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("device", r.device());
            json.put("config", config);
            if (attention) {
                json.putAll(boardChecks(core.params(), top, r, out.resolve("work")));
            }
            json.put("bitstream", r.bitstream().toString());
            json.put("maxFrequencyMHz", r.maxFrequencyMHz());
            json.put("flipFlops", r.flipFlops());
            json.put("luts", r.luts());
            Map<String, Object> res = new LinkedHashMap<>();
            r.resources().forEach((k, v) -> res.put(k, Map.of("used", v.used(), "available", v.available())));
            json.put("resources", res);
            Files.writeString(out.resolve("report.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(json));
            PrintWriter o = spec.commandLine().getOut();
            if (format == Output.Format.json) {
                Output.json(o, json);
                return 0;
            }
            o.printf(Locale.ROOT, "%s: %s (%d flip-flops, %d LUTs, max %.2f MHz)%n", r.device(), r.bitstream(), r.flipFlops(),
                r.luts(), r.maxFrequencyMHz());
            List<List<String>> rows = new ArrayList<>();
            r.resources().forEach((k, v) -> rows.add(List.of(k, Long.toString(v.used()), Long.toString(v.available()))));
            Output.table(o, List.of("resource", "used", "available"), rows);
            return 0;
        }

        /**
         * The board-level checks of an attention bitstream: random Q/K/V of a whole memory's tokens
         * through the pins of the stepped top (Verilated RTL), AV against the bit-exact model and
         * the fp32 executor; the same pin cycles through the synthesised netlist, every cycle.
         */
        private Map<String, Object> boardChecks(AttentionParams p, SteppedTop top, Fpga.Report r, Path work)
                throws IOException, InterruptedException {
            AttentionCore core = new AttentionCore(p, true);
            AttentionCore.Inputs in = AttentionCore.Inputs.random(p, p.heads(), p.tokens(), seed);
            List<Map<String, Long>> coreCycles = core.stimulus(in);
            List<Map<String, Long>> pins = top.pins(coreCycles);
            Cosim cosim = new Cosim(work);
            List<Map<String, Long>> rtlPins = cosim.rtl(top, pins);
            AttentionCore.Outputs board = core.collect(in, coreCycles, top.coreOutputs(coreCycles, rtlPins));
            AttentionCore.Outputs model = core.collect(in, coreCycles, core.modelOutputs(coreCycles));
            RtlAttention.Agreement a = RtlAttention.compare(p, board.av(), model.av(), RtlAttention.executor(p, in));
            List<Map<String, Long>> netPins = cosim.netlist(top.top(), r.netlist(), pins);
            long post = 0;
            for (int i = 0; i < pins.size(); i++) {
                post += netPins.get(i).get("dout").equals(rtlPins.get(i).get("dout")) ? 0 : 1;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("boardTokens", in.tokens());
            json.put("boardCoreCycles", board.cycles());
            json.put("boardPinCycles", pins.size());
            json.put("boardQuantizedMismatches", a.mismatches());
            json.put("boardMaxRelativeError", a.maxRelativeError());
            json.put("postSynthesisCycles", pins.size());
            json.put("postSynthesisMismatches", post);
            json.put("netlist", r.netlist().toString());
            return json;
        }

        static Block.Config parse(String config) {
            if (config.equals("default")) {
                return new Block.Config(2, 2, 2);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)x(\\d+)(?:\\+(\\d+))?").matcher(config);
            if (!m.matches()) {
                throw new InvalidInputException(new SourcePos("CONFIG", 1, 1), "expected default or RxC[+L], found '" + config + "'");
            }
            int r = Integer.parseInt(m.group(1));
            int c = Integer.parseInt(m.group(2));
            int l = m.group(3) == null ? c : Integer.parseInt(m.group(3));
            if (r < 1 || c < 1 || l < 1 || r > 16 || c > 16 || l > 64) {
                throw new InvalidInputException(new SourcePos("CONFIG", 1, 1), "rows and cols 1-16, lanes 1-64");
            }
            return new Block.Config(r, c, l);
        }
    }
}
