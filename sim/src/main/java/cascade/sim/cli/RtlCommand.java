package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.rtl.Block;
import cascade.hw.rtl.Blocks;
import cascade.hw.rtl.Cosim;
import cascade.hw.rtl.Fpga;
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
    subcommands = {RtlCommand.ListBlocks.class, RtlCommand.Emit.class, RtlCommand.Cosimulate.class, RtlCommand.Bitstream.class})
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

        @Option(names = "--param", description = "rows=N, cols=N (systolic), lanes=N (vector)")
        List<String> params = new ArrayList<>();

        Block block() {
            Map<String, Integer> p = params(params);
            return Inputs.option("BLOCK", () -> Blocks.of(name, p));
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
                List.of("topk", "bitonic sort of 8 scores, ties to the lower index, valid/ready stage", "-"));
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
            json.put("buildSeconds", r.buildSeconds());
            json.put("rtlSeconds", r.runSeconds());
            json.put("compareSeconds", r.compareSeconds());
            if (format == Output.Format.json) {
                Output.json(out, json);
            } else {
                out.printf(Locale.ROOT, "%s: %d cycles, %d mismatches%s (build %.1f s, RTL %.2f s, model and compare %.2f s)%n",
                    r.block(), r.cycles(), r.mismatches(), r.first() == null ? "" : "; first: " + r.first(), r.buildSeconds(),
                    r.runSeconds(), r.compareSeconds());
            }
            return r.mismatches() == 0 ? 0 : 1;
        }
    }

    @Command(name = "bitstream", mixinStandardHelpOptions = true,
        description = "Synthesise, place and route a configuration for an iCE40 and pack its bitstream.",
        footer = {"", "Configurations: default (2x2 array + 2 lanes, fits both), or RxC[+L] such as 4x4+4.", "",
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

        @Override
        public Integer call() throws IOException, InterruptedException {
            Block.Config cfg = parse(config);
            Fpga.Device d = Inputs.option("--device", () -> Fpga.Device.of(device));
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new InvalidInputException(new SourcePos("--out", 1, 1), out + " is not a folder");
            }
            Fpga.Report r;
            try {
                r = Fpga.build(cfg, d, out);
            } catch (Fpga.DoesNotFit e) {
                spec.commandLine().getErr().println("cascade: " + e.getMessage());
                return 1;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("device", r.device());
            json.put("config", config);
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
