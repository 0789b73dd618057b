package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingLoader;
import cascade.mappings.spec.MappingValidator;
import cascade.mappings.timeloop.TimeloopMapper;
import cascade.mappings.timeloop.TimeloopModel;
import cascade.mappings.timeloop.TimeloopReader;
import cascade.mappings.timeloop.TimeloopWriter;
import cascade.traces.AtomicFiles;
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
    subcommands = {TimeloopCommand.Model.class, TimeloopCommand.MapperSearch.class, TimeloopCommand.Export.class})
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
            "Not yet read: multiple buffering; a !Parallel's members are read as consecutive levels.", "",
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
            TimeloopReader.Inputs in = files.read(mapping);
            TimeloopModel.Stats s = TimeloopModel.run(in);
            TimeloopModel.Overflow over = TimeloopModel.overflowing(in.architecture(), s);
            if (over != null) {
                SourcePos at = in.mapping().levels().stream().filter(l -> l.level().equals(over.level()) && l.pos() != null)
                    .map(Mapping.LevelLoops::pos).findFirst().orElse(in.mapping().pos());
                throw new InvalidInputException(at, "the mapping's tiles at " + over.level() + " take " + over.words()
                    + " words per instance, more than its " + over.room() + " (depth over multiple_buffering)");
            }
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
            + "and the factors and loop orders they do not fix, scored by Timeloop's counting and metrics; writes the best "
            + "mapping as a Timeloop mapping file.",
        footer = {"", "Constraints are the architecture's own (v0.4 nodes' constraints) and --constraints' targets: partial",
            "factors, permutations (the innermost loops), spatial factors and split, keep and bypass. One fan-out (the",
            "array's rows and columns) is searched. The mapper file's algorithm decides the search: linear_pruned or",
            "exhaustive enumerate every mapping of each keep choice (loops of factor 1 left out of the orders, as",
            "linear_pruned does), so the best is the space's optimum (exercise 05 unconstrained: 464,640 mappings, ~20 s);",
            "a space of more than 100,000 factor assignments (06 has 69,206,400) is refused at the algorithm key.",
            "random, random_pruned, hybrid, or no file: --starts local searches of --steps moves per keep choice.",
            "Timeloop's other search settings (timeout, victory_condition, threads) are not read.", "",
            "Example:", "  ./cascade timeloop mapper --arch ex/arch/3level.arch.yaml --problem ex/prob/conv1d+oc.prob.yaml \\",
            "      --constraints ex/constraints/null.constraints.yaml --mapper ex/mapper/exhaustive.mapper.yaml --out best.map.yaml"})
    static final class MapperSearch implements Callable<Integer> {
        /** Factor assignments per keep choice an enumeration may take (exercise 05 has 7,260; 06 has 69,206,400). */
        static final long MAX_ENUMERATED = 100_000;

        @Spec
        CommandSpec spec;

        @Mixin
        Files files;

        @Option(names = "--constraints", paramLabel = "FILE", description = "mapspace_constraints (default: none)")
        Path constraints;

        @Option(names = "--mapper", paramLabel = "FILE", description = "mapper configuration: its optimization_metric "
            + "(default [delay, energy])")
        Path mapper;

        @Option(names = "--starts", defaultValue = "8", description = "local-search starts per keep choice (default ${DEFAULT-VALUE})")
        long starts;

        @Option(names = "--steps", defaultValue = "2000", description = "local-search steps per start (default ${DEFAULT-VALUE})")
        long steps;

        @Option(names = "--out", paramLabel = "FILE", description = "where to write the best mapping (Timeloop v0.4)")
        Path out;

        @Override
        public Integer call() throws IOException {
            if (out != null) {
                Inputs.inExistingFolder(out, "--out");
            }
            TimeloopReader.Inputs in = files.read(null);
            var space = TimeloopReader.mapSpace(files.arch.toString(), TimeloopReader.text(files.arch),
                constraints == null ? null : constraints.toString(),
                constraints == null ? null : TimeloopReader.text(constraints), in);
            var settings = mapper == null ? new TimeloopReader.MapperSettings(Mapper.Objective.DELAY_THEN_ENERGY, false, null)
                : TimeloopReader.mapperSettings(mapper.toString(), TimeloopReader.text(mapper));
            Mapper.Strategy strategy = settings.exhaustive() ? new Mapper.Exhaustive(MAX_ENUMERATED)
                : new Mapper.LocalSearch(starts, steps, 1);
            long t0 = System.nanoTime();
            TimeloopMapper.Result r = Inputs.option("--constraints", () -> {
                PrintWriter err = spec.commandLine().getErr();
                TimeloopMapper.Progress progress = (done, of) -> {
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (!CascadeCommand.quiet() && (done == of || done % Math.max(1, of / 8) == 0)) {
                        err.printf(Locale.ROOT, "timeloop mapper: [%d/%d] keep choices searched (%.0f s, about %.0f s left)%n",
                            done, of, s, s / done * (of - done));
                        err.flush();
                    }
                };
                try {
                    return TimeloopMapper.search(in, space, settings.objective(), strategy,
                        Runtime.getRuntime().availableProcessors(), progress);
                } catch (Mapper.SpaceTooLarge e) {
                    throw new InvalidInputException(settings.algorithmAt(), e.getMessage());
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            String written = TimeloopWriter.mapping(r.best(), new ArrayList<>(in.cascade().producer(in.einsum())
                .iterationRanks()), in.cascade().tensors().keySet(), level -> space.columns(), level -> space.rows());
            if (out != null) {
                cascade.traces.AtomicFiles.writeString(out, written);
            }
            PrintWriter o = spec.commandLine().getOut();
            String search = settings.exhaustive() ? "every mapping"
                : "local search, " + starts + " starts x " + steps + " moves per keep choice";
            if (files.format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("cycles", r.stats().cycles());
                json.put("energyPj", r.stats().energyPj());
                json.put("keepChoices", r.keepChoices());
                json.put("search", search);
                json.put("evaluated", r.evaluated());
                json.put("skippedNotFitting", r.skipped());
                json.put("wallSeconds", seconds);
                json.put("mapping", written);
                json.put("levels", r.stats().levels());
                Output.json(o, json);
                return 0;
            }
            o.printf(Locale.ROOT, "best: %d cycles, %.2f pJ (%s; %d keep choices, %d mappings costed, %.1f s)%n",
                r.stats().cycles(), r.stats().energyPj(), search, r.keepChoices(), r.evaluated(), seconds);
            o.print(written);
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write one of Cascade's mapped Einsums as Timeloop v0.4 files (architecture, problem, mapping, "
            + "Accelergy ERT), so Timeloop can check Cascade's figures; prints Cascade's own estimate of the same mapping.",
        footer = {"", "Levels are written with one-word blocks and their bandwidth as shared_bandwidth, so an access is a",
            "word as Cascade prices it. Under Timeloop's counting (--counting timeloop on the estimate printed here),",
            "timeloop model on the exported files gives the same reads, fills, updates, cycles and energy.", "",
            "Example:", "  ./cascade timeloop export --arch fusemax --cascade fusemax --bind P=256,M=256,E=128,F=128 \\",
            "      --einsum QK --unit PE2D --out qk-timeloop",
            "  ./cascade timeloop model --arch qk-timeloop/arch.yaml --problem qk-timeloop/problem.yaml \\",
            "      --mapping qk-timeloop/mapping.yaml --ert qk-timeloop/ERT.yaml"})
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--arch", required = true, paramLabel = "PRESET|FILE", description = "the architecture")
        String arch;

        @Option(names = "--cascade", required = true, description = "a cascade file or library name")
        String cascadeWord;

        @Option(names = "--bind", paramLabel = "NAME=SIZE,…", description = "rank and parameter sizes")
        String bind;

        @Option(names = "--einsum", required = true, description = "the output tensor of the Einsum to export")
        String einsum;

        @Option(names = "--unit", description = "the compute unit it runs on (with no --mapping)")
        String unit;

        @Option(names = "--mapping", paramLabel = "FILE.yaml", description = "Cascade's mapping of the cascade (default: "
            + "the mapper's best by cycles)")
        Path mapping;

        @Option(names = "--counting", defaultValue = "timeloop", description = "the counting of the estimate printed: "
            + "cascade or timeloop (default ${DEFAULT-VALUE})")
        String counting;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write the four files into")
        Path out;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() throws IOException {
            var counted = switch (counting) {
                case "cascade" -> AnalyticalModel.Counting.CASCADE;
                case "timeloop" -> AnalyticalModel.Counting.TIMELOOP;
                default -> throw new InvalidInputException(new SourcePos("--counting", 1, 1),
                    "expected cascade or timeloop, found '" + counting + "'");
            };
            Inputs.inExistingFolder(out, "--out");
            Cascade parsed = Inputs.cascade(cascadeWord, new SourcePos("--cascade", 1, 1));
            Cascade c = parsed.withParameters(Inputs.reals(bind, parsed));
            Map<String, Long> sizes = c.sizes(Inputs.bindings(bind, c));
            Architecture a = ArchCommand.resolve(arch);
            Inputs.computedBy(c, einsum);
            MappedCascade mapped;
            if (mapping != null) {
                MappedCascade all = MappingValidator.validate(
                    MappingLoader.load(Inputs.existingFile(mapping, "--mapping")), c, sizes, a);
                var em = all.mapping().einsums().stream().filter(x -> x.output().equals(einsum)).findFirst()
                    .orElseThrow(() -> new InvalidInputException(new SourcePos(
                        mapping.toString(), 1, 1), "the mapping has no entry for " + einsum));
                mapped = new MappedCascade(c, a, sizes, new Mapping(
                    all.mapping().name(), all.mapping().file(), List.of(em)), all.resident());
            } else {
                if (unit == null || a.compute(unit) == null) {
                    throw new InvalidInputException(new SourcePos("--unit", 1, 1),
                        (unit == null ? "no --unit" : "unknown compute unit '" + unit + "'") + " (units of " + a.name() + ": "
                            + String.join(", ", a.compute().stream().map(ComputeArray::name).toList())
                            + "); without --mapping the mapper needs one");
                }
                var mapper = Inputs.option("--unit", () -> new Mapper(c, sizes, a, einsum, unit,
                    Mapper.Objective.CYCLES));
                var r = mapper.search(new Mapper.LocalSearch(12, 400, 1),
                    Runtime.getRuntime().availableProcessors(), 1);
                if (r.best().isEmpty()) {
                    spec.commandLine().getErr().println("cascade: no mapping of " + einsum + " fits unit " + unit + " of "
                        + a.name());
                    return 1;
                }
                mapped = new MappedCascade(c, a, sizes, new Mapping(
                    c.name() + "-" + einsum, "", List.of(r.best().getFirst().mapping())));
            }
            var em = mapped.mapping().einsums().getFirst();
            TimeloopWriter.Export files = Inputs.option("--einsum", () -> TimeloopWriter.export(mapped, em));
            java.nio.file.Files.createDirectories(out);
            // Each file lands whole or not at all; the estimate is printed only once all four are there.
            AtomicFiles.writeString(out.resolve("arch.yaml"), files.architecture());
            AtomicFiles.writeString(out.resolve("problem.yaml"), files.problem());
            AtomicFiles.writeString(out.resolve("mapping.yaml"), files.mapping());
            AtomicFiles.writeString(out.resolve("ERT.yaml"), files.ert());
            var est = AnalyticalModel.einsum(mapped, em, counted);
            PrintWriter o = spec.commandLine().getOut();
            if (format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("einsum", einsum);
                json.put("unit", em.unit());
                json.put("counting", counting);
                json.put("computes", est.points());
                json.put("cycles", est.cycles());
                json.put("energyPj", est.totalEnergyPj());
                json.put("accesses", est.accesses());
                json.put("files", List.of("arch.yaml", "problem.yaml", "mapping.yaml", "ERT.yaml"));
                Output.json(o, json);
                return 0;
            }
            o.printf(Locale.ROOT, "wrote %s/{arch,problem,mapping,ERT}.yaml: %s on %s%n", out, einsum, em.unit());
            o.printf(Locale.ROOT, "Cascade's estimate (%s counting): %d computes, %d cycles, energy %.2f pJ%n", counting,
                est.points(), est.cycles(), est.totalEnergyPj());
            List<List<String>> rows = new ArrayList<>();
            for (var x : est.accesses()) {
                rows.add(List.of(x.level(), x.tensor(), Long.toString(x.reads()), Long.toString(x.writes())));
            }
            Output.table(o, List.of("level", "tensor", "reads (all instances)", "fills + updates (all instances)"), rows);
            return 0;
        }
    }
}
