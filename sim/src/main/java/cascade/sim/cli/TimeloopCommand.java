package cascade.sim.cli;

import cascade.mappings.timeloop.TimeloopMapper;
import cascade.mappings.timeloop.TimeloopModel;
import cascade.mappings.timeloop.TimeloopReader;
import cascade.mappings.timeloop.TimeloopWriter;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Timeloop users' files in, Timeloop's figures out. */
@Command(name = "timeloop", mixinStandardHelpOptions = true,
    description = "Timeloop v0.4 inputs: an architecture, a problem and a mapping (and Accelergy's ERT).",
    subcommands = {TimeloopCommand.Model.class, TimeloopCommand.MapperSearch.class})
final class TimeloopCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The files every Timeloop command reads, and the report's format. */
    static final class Files {
        @Option(names = "--arch", required = true, paramLabel = "FILE", description = "Timeloop v0.4 architecture")
        Path arch;

        @Option(names = "--problem", required = true, paramLabel = "FILE", description = "Timeloop v0.4 problem")
        Path problem;

        @Option(names = "--ert", paramLabel = "FILE", description = "Accelergy energy reference table (energy is 0 without)")
        Path ert;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        /** The inputs, with {@code mapping} (null: every loop at the outermost level, for a mapper to start from). */
        TimeloopReader.Inputs read(Path mapping) throws IOException {
            return TimeloopReader.read(arch, problem, mapping, ert);
        }
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

        @Mixin
        Files files;

        @Option(names = "--mapping", required = true, paramLabel = "FILE", description = "Timeloop v0.4 mapping")
        Path mapping;

        @Override
        public Integer call() throws IOException {
            TimeloopModel.Stats s = TimeloopModel.run(files.read(mapping));
            PrintWriter out = spec.commandLine().getOut();
            if (files.format == Output.Format.json) {
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

    @Command(name = "mapper", mixinStandardHelpOptions = true,
        description = "Cascade's mapper on Timeloop's map space: every keep-or-bypass choice the constraints leave open, "
            + "and the loop nest where they do not fix it, scored by Timeloop's counting and metrics; writes the best "
            + "mapping as a Timeloop mapping file.",
        footer = {"", "Not yet read: partial factor constraints, spatial constraints, spatial map spaces.", "",
            "Example:", "  ./cascade timeloop mapper --arch ex/arch/3level.arch.yaml --problem ex/prob/conv1d+oc.prob.yaml \\",
            "      --constraints ex/constraints/null.constraints.yaml --mapper ex/mapper/exhaustive.mapper.yaml --out best.map.yaml"})
    static final class MapperSearch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Files files;

        @Option(names = "--constraints", paramLabel = "FILE", description = "mapspace_constraints (default: none)")
        Path constraints;

        @Option(names = "--mapper", paramLabel = "FILE", description = "mapper configuration: its optimization_metric "
            + "(default [delay, energy])")
        Path mapper;

        @Option(names = "--starts", defaultValue = "12", description = "local-search starts per keep choice (default ${DEFAULT-VALUE})")
        long starts;

        @Option(names = "--steps", defaultValue = "300", description = "local-search steps per start (default ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--out", paramLabel = "FILE", description = "where to write the best mapping (Timeloop v0.4)")
        Path out;

        @Override
        public Integer call() throws IOException {
            if (out != null) {
                Inputs.inExistingFolder(out, "--out");
            }
            TimeloopReader.Inputs in = files.read(null);
            var c = constraints == null ? Map.<String, TimeloopReader.LevelConstraint>of()
                : TimeloopReader.constraints(constraints.toString(), TimeloopReader.text(constraints), in);
            var objective = mapper == null ? cascade.mappings.search.Mapper.Objective.DELAY_THEN_ENERGY
                : TimeloopReader.objective(mapper.toString(), TimeloopReader.text(mapper));
            long t0 = System.nanoTime();
            TimeloopMapper.Result r = Inputs.option("--constraints", () -> TimeloopMapper.search(in, c, objective,
                new cascade.mappings.search.Mapper.LocalSearch(starts, steps, 1)));
            double seconds = (System.nanoTime() - t0) / 1e9;
            String written = TimeloopWriter.mapping(r.best(), new ArrayList<>(in.cascade().producer(in.einsum())
                .iterationRanks()), in.cascade().tensors().keySet());
            if (out != null) {
                cascade.traces.AtomicFiles.writeString(out, written);
            }
            PrintWriter o = spec.commandLine().getOut();
            if (files.format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("cycles", r.stats().cycles());
                json.put("energyPj", r.stats().energyPj());
                json.put("keepChoices", r.keepChoices());
                json.put("evaluated", r.evaluated());
                json.put("wallSeconds", seconds);
                json.put("mapping", written);
                json.put("levels", r.stats().levels());
                Output.json(o, json);
                return 0;
            }
            o.printf(Locale.ROOT, "best: %d cycles, %.2f pJ (%d keep choices, %d mappings costed, %.1f s)%n",
                r.stats().cycles(), r.stats().energyPj(), r.keepChoices(), r.evaluated(), seconds);
            o.print(written);
            return 0;
        }
    }
}
