package cascade.sim.cli;

import cascade.hw.rtl.Blocks;
import cascade.hw.rtl.Cosim;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Co-simulation speed of the 4×4 systolic array and of the attention core: cycles per second of the RTL alone and of the whole check. */
@Command(name = "cosim", mixinStandardHelpOptions = true,
    description = "Co-simulation speed of the 4x4 systolic array and the attention core: RTL cycles/s and checked cycles/s (RTL + Java model + compare).",
    footer = {"", "Example:", "  ./cascade bench cosim --cycles 1000000 --format json"})
final class BenchCosimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cycles", defaultValue = "1000000", description = "cycles (default ${DEFAULT-VALUE})")
    long cycles;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (cycles < 1000 || cycles > 100_000_000) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--cycles", 1, 1),
                "must be between 1,000 and 100,000,000");
        }
        Cosim cosim = new Cosim(Path.of("target", "rtl"));
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (cascade.hw.rtl.Block block : List.of(new Blocks.Systolic(4, 4),
                new cascade.hw.rtl.AttentionCore(cascade.hw.rtl.AttentionParams.defaults()))) {
            cosim.run(block, 10_000, 1, false, null); // build and warm up
            Cosim.Result r = cosim.run(block, cycles, 2, false, null);
            double checked = r.cycles() / (r.runSeconds() + r.compareSeconds());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("block", r.block());
            json.put("cycles", r.cycles());
            json.put("mismatches", r.mismatches());
            json.put("rtlCyclesPerSecond", r.rtlCyclesPerSecond());
            json.put("checkedCyclesPerSecond", checked);
            rows.add(json);
            if (format != Output.Format.json) {
                spec.commandLine().getOut().printf(Locale.ROOT, "%s, %d cycles, %d mismatches: RTL %.3g cycles/s (Verilator, with "
                        + "file I/O), checked %.3g cycles/s (RTL + Java model + comparison)%n", r.block(), r.cycles(),
                    r.mismatches(), r.rtlCyclesPerSecond(), checked);
            }
        }
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>(rows.getFirst());
            json.put("blocks", rows);
            Output.json(spec.commandLine().getOut(), json);
        }
        return 0;
    }
}
