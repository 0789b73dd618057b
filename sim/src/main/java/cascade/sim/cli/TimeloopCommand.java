package cascade.sim.cli;

import cascade.mappings.timeloop.TimeloopModel;
import cascade.mappings.timeloop.TimeloopReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Timeloop users' files in, Timeloop's figures out. */
@Command(name = "timeloop", mixinStandardHelpOptions = true,
    description = "Timeloop v0.4 inputs: an architecture, a problem and a mapping (and Accelergy's ERT).",
    subcommands = {TimeloopCommand.Model.class})
final class TimeloopCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
        description = "Count a Timeloop mapping as Timeloop does: per level and data space the per-instance scalar reads, "
            + "fills and updates, utilised instances, cycles, and energy priced with the ERT when given.",
        footer = {"", "Meanings are Timeloop's stats.txt's (first-read elision, multicast, per-instance counts).",
            "Not yet read: !Parallel levels, multiple buffering, 2D spatial splits.", "",
            "Example:", "  ./cascade timeloop model --arch ex/arch/1level.arch.yaml --problem ex/prob/conv1d.prob.yaml \\",
            "      --mapping ex/map/conv1d-1level.map.yaml --ert ex/ref-output/timeloop-model.ERT.yaml --format json"})
    static final class Model implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--arch", required = true, paramLabel = "FILE", description = "Timeloop v0.4 architecture")
        Path arch;

        @Option(names = "--problem", required = true, paramLabel = "FILE", description = "Timeloop v0.4 problem")
        Path problem;

        @Option(names = "--mapping", required = true, paramLabel = "FILE", description = "Timeloop v0.4 mapping")
        Path mapping;

        @Option(names = "--ert", paramLabel = "FILE", description = "Accelergy energy reference table (energy is 0 without)")
        Path ert;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() throws IOException {
            TimeloopModel.Stats s = TimeloopModel.run(TimeloopReader.read(arch, problem, mapping, ert));
            PrintWriter out = spec.commandLine().getOut();
            if (format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("einsum", s.einsum());
                json.put("computes", s.computes());
                json.put("utilizedComputeInstances", s.utilizedComputeInstances());
                json.put("cycles", s.cycles());
                json.put("utilization", s.utilization());
                json.put("energyPj", s.energyPj());
                json.put("computeEnergyPj", s.computeEnergyPj());
                json.put("levels", s.levels());
                Output.json(out, json);
                return 0;
            }
            out.printf(Locale.ROOT, "%s: %d computes on %d instances, %d cycles, utilisation %.2f, energy %.2f pJ%n",
                s.einsum(), s.computes(), s.utilizedComputeInstances(), s.cycles(), s.utilization(), s.energyPj());
            List<List<String>> rows = new ArrayList<>();
            s.levels().forEach((level, l) -> l.tensors().forEach((t, x) -> rows.add(List.of(level, t,
                Long.toString(l.utilizedInstances()), Long.toString(x.partitionSize()), Long.toString(x.readsPerInstance()),
                Long.toString(x.fillsPerInstance()), Long.toString(x.updatesPerInstance()),
                String.format(Locale.ROOT, "%.2f", x.energyPj())))));
            Output.table(out, List.of("level", "data space", "instances", "partition", "reads/instance", "fills/instance",
                "updates/instance", "energy pJ"), rows);
            return 0;
        }
    }
}
