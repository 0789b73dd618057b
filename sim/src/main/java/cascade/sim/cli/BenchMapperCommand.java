package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.mappings.search.Mapper;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.timeloop.TimeloopMapper;
import cascade.mappings.timeloop.TimeloopReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Mappings costed per second by the analytical model during a random search, per core; and the
 * Timeloop tutorial's exercise 06 (Eyeriss-like, VGG02 layer 5) searched as {@code timeloop
 * mapper} searches it: wall time beside the mapping's quality.
 */
@Command(name = "mapper", mixinStandardHelpOptions = true,
    description = "Mappings evaluated per second per core: a GEMM and the 1-pass cascade's QK, on the FuseMax 2D array; "
        + "and Timeloop's exercise 06 (Eyeriss-like array, VGG02 layer 5, row-stationary constraints): wall time, "
        + "cycles against the bound of every PE busy, energy per MAC.",
    footer = {"", "Examples:", "  ./cascade bench mapper --format json", "  ./cascade bench mapper --samples 500000 --threads 2"})
final class BenchMapperCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--samples", defaultValue = "300000", description = "candidates drawn per measurement (default ${DEFAULT-VALUE})")
    long samples;

    @Option(names = "--threads", defaultValue = "1", description = "search threads (default ${DEFAULT-VALUE}); rates are per thread")
    int threads;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Option(names = "--timeloop-exercises", defaultValue = "../shared/data/timeloop-exercises", paramLabel = "DIR",
        description = "Timeloop's tutorial exercises (default ${DEFAULT-VALUE}, from the repository; skipped, and said so, "
            + "when the default is absent)")
    Path exercises;

    @Option(names = "--eyeriss-starts", defaultValue = "32", description = "exercise 06: local-search starts per keep "
        + "choice (default ${DEFAULT-VALUE})")
    long eyerissStarts;

    @Option(names = "--eyeriss-steps", defaultValue = "2000", description = "exercise 06: moves per start "
        + "(default ${DEFAULT-VALUE})")
    long eyerissSteps;

    @Override
    public Integer call() throws IOException {
        Architecture fusemax = ArchitectureLoader.preset("fusemax");
        Cascade gemm = Cascade.parse("gemm.cas", """
            cascade gemm
            rank M = 1024, N = 1024, K = 1024
            input  A[m,k] : fp32
            input  B[k,n] : fp32
            output C[m,n] : fp32
            C[m,n] = sum_k A[m,k] * B[k,n]
            """);
        Cascade onePass = CascadeLibrary.load("attention-1pass");
        Map<String, Object> json = new LinkedHashMap<>();
        List<List<String>> rows = new ArrayList<>();
        measure("gemm 1024^3", gemm, gemm.sizes(Map.of()), "C", fusemax, json, rows);
        measure("1-pass QK, P=M=4096, E=64", onePass, onePass.sizes(Map.of("P", 4096L, "M", 4096L, "E", 64L, "F", 64L)),
            "QK", fusemax, json, rows);
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> eyeriss = eyeriss(out);
        if (eyeriss != null) {
            json.put("timeloop 06 eyeriss VGG02 layer 5", eyeriss);
        }
        if (format == Output.Format.json) {
            Output.json(out, json);
        } else {
            Output.table(out, List.of("problem", "costed/s per core", "candidates/s per core", "costed",
                "skipped before costing", "best cycles (random)", "best cycles (local search)"), rows);
            if (eyeriss != null) {
                out.println();
                Output.table(out, List.of("Timeloop exercise 06", "wall s", "keep choices", "costed", "cycles",
                    "of the bound", "energy pJ", "pJ/MAC"), List.of(List.of("Eyeriss-like, VGG02 layer 5",
                    String.format(Locale.ROOT, "%.1f", (double) eyeriss.get("wallSeconds")),
                    eyeriss.get("keepChoices").toString(), eyeriss.get("evaluated").toString(),
                    eyeriss.get("cycles").toString(),
                    String.format(Locale.ROOT, "%.3f", (double) eyeriss.get("cyclesOverBound")),
                    String.format(Locale.ROOT, "%.4g", (double) eyeriss.get("energyPj")),
                    String.format(Locale.ROOT, "%.3f", (double) eyeriss.get("pjPerMac")))));
            }
        }
        return 0;
    }

    /** Exercise 06 searched as {@code timeloop mapper} searches it; null (and a line saying so) without the files. */
    private Map<String, Object> eyeriss(PrintWriter out) throws IOException {
        Path ex = Inputs.inRepository(exercises).resolve("06-mapper-convlayer-eyeriss");
        if (!Files.isDirectory(ex)) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--timeloop-exercises")) {
                throw new InvalidInputException(new SourcePos("--timeloop-exercises", 1, 1), "no folder " + ex);
            }
            spec.commandLine().getErr().println("bench mapper: Timeloop's exercise 06 skipped, no folder " + ex
                + " (--timeloop-exercises)");
            return null;
        }
        Path arch = ex.resolve("arch/eyeriss_like.yaml");
        Path mapperFile = ex.resolve("mapper/mapper.yaml");
        TimeloopReader.Inputs in = TimeloopReader.read(arch, ex.resolve("prob/VGG02_layer5.yaml"), null,
            ex.resolve("ref-output/timeloop-mapper.ERT.yaml"));
        TimeloopReader.MapSpace space = TimeloopReader.mapSpace(arch.toString(), TimeloopReader.text(arch), null, null, in);
        Mapper.Objective objective = TimeloopReader.mapperSettings(mapperFile.toString(), TimeloopReader.text(mapperFile))
            .objective();
        long t0 = System.nanoTime();
        TimeloopMapper.Result r = TimeloopMapper.search(in, space, objective,
            new Mapper.LocalSearch(eyerissStarts, eyerissSteps, 1), threads);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long pes = in.architecture().compute().getFirst().pes();
        long bound = (r.stats().computes() + pes - 1) / pes;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wallSeconds", seconds);
        m.put("threads", threads);
        m.put("keepChoices", r.keepChoices());
        m.put("evaluated", r.evaluated());
        m.put("computes", r.stats().computes());
        m.put("cycles", r.stats().cycles());
        m.put("cyclesBound", bound);
        m.put("cyclesOverBound", (double) r.stats().cycles() / bound);
        m.put("utilization", r.stats().utilization());
        m.put("energyPj", r.stats().energyPj());
        m.put("pjPerMac", r.stats().energyPj() / r.stats().computes());
        return m;
    }

    private void measure(String name, Cascade c, Map<String, Long> sizes, String output, Architecture a,
                         Map<String, Object> json, List<List<String>> rows) {
        String matrix = a.compute().stream().filter(u -> u.kind() == cascade.hw.ComputeArray.Kind.ARRAY_2D).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(a.name() + " has no 2D array")).name();
        Mapper mapper = new Mapper(c, sizes, a, output, matrix, Mapper.Objective.CYCLES);
        mapper.search(new Mapper.Random(samples / 10, 1), threads, 1); // warm-up: compile the model
        Mapper.Result r = mapper.search(new Mapper.Random(samples, 2), threads, 1);
        Mapper.Result climbed = mapper.search(new Mapper.LocalSearch(samples / 1000, 1000, 3), threads, 1);
        double perCore = r.evaluationsPerSecond() / threads;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("evaluationsPerSecondPerCore", perCore);
        m.put("candidatesPerSecondPerCore", (r.evaluated() + r.skipped()) / r.seconds() / threads);
        m.put("evaluated", r.evaluated());
        m.put("skipped", r.skipped());
        m.put("seconds", r.seconds());
        m.put("threads", threads);
        m.put("bestCycles", r.best().isEmpty() ? null : r.best().getFirst().score());
        m.put("localSearchBestCycles", climbed.best().isEmpty() ? null : climbed.best().getFirst().score());
        m.put("localSearchEvaluationsPerSecondPerCore", climbed.evaluationsPerSecond() / threads);
        json.put(name, m);
        rows.add(List.of(name, String.format("%.0f", perCore),
            String.format("%.0f", (r.evaluated() + r.skipped()) / r.seconds() / threads), Long.toString(r.evaluated()),
            Long.toString(r.skipped()),
            r.best().isEmpty() ? "-" : String.format("%.0f", r.best().getFirst().score()),
            climbed.best().isEmpty() ? "-" : String.format("%.0f", climbed.best().getFirst().score())));
    }
}
