package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.mappings.search.Mapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Mappings costed per second by the analytical model during a random search, per core. */
@Command(name = "mapper", mixinStandardHelpOptions = true,
    description = "Mappings evaluated per second per core: a GEMM and the 1-pass cascade's QK, on the FuseMax 2D array.",
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

    @Override
    public Integer call() {
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
        if (format == Output.Format.json) {
            Output.json(out, json);
        } else {
            Output.table(out, List.of("problem", "costed/s per core", "candidates/s per core", "costed",
                "skipped before costing", "best cycles (random)", "best cycles (local search)"), rows);
        }
        return 0;
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
