package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Dense 1-pass attention on the executor, the oracle on a slice of the same shape, a pure FMA
 * loop as the practical peak, and NumPy on the same shape on the strongest BLAS the machine's
 * NumPy has ({@link NumpyReference}) — all measured in this one run, since the machines are
 * shared and noisy.
 */
@Command(name = "executor", mixinStandardHelpOptions = true,
    description = "GFLOP/s of dense 1-pass attention: executor, scalar oracle, FMA peak and numpy, in one run.",
    footer = {"", "FLOPs are counted as attention papers count them: 4·P·M·E (the two contractions).", "",
        "Examples:", "  ./cascade bench executor --format json", "  ./cascade bench executor --size 2048 --repeats 5"})
final class BenchExecutorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", defaultValue = "4096", description = "P = M (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--head-dim", defaultValue = "128", description = "E = F (default ${DEFAULT-VALUE})")
    int headDim;

    @Option(names = "--threads", defaultValue = "2", description = "threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--repeats", defaultValue = "5", description = "timed executor runs after the warm-up (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--warmup-seconds", defaultValue = "15",
        description = "untimed runs until this long has passed, so the JIT has compiled every kernel (default ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--oracle-queries", defaultValue = "16",
        description = "queries the oracle computes (same M and E; its rate is independent of P) (default ${DEFAULT-VALUE})")
    int oracleQueries;

    @Option(names = "--no-numpy", description = "skip the numpy reference")
    boolean noNumpy;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Cascade c = CascadeLibrary.load("attention-1pass");
        Map<String, Long> sizes = c.sizes(Map.of("P", (long) size, "M", (long) size, "E", (long) headDim, "F", (long) headDim));
        double flops = 4.0 * size * size * headDim;

        err.println("bench: FMA peak on " + threads + " threads (best of 5)…");
        double peak = FmaPeak.best(threads, 100_000_000L, 5);

        err.println("bench: executor, P=M=" + size + ", E=F=" + headDim + ", " + threads + " threads, " + warmupSeconds
            + " s warm-up + " + repeats + " runs…");
        Map<String, float[]> inputs = Tensors.randomInputs(c, sizes, 1);
        double[] ms = new double[repeats];
        try (Executor executor = new Executor(threads)) {
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warmups = 0;
            do {
                executor.run(c, sizes, inputs);
                warmups++;
            } while (System.nanoTime() < warmupEnd);
            err.println("bench: " + warmups + " warm-up runs");
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                executor.run(c, sizes, inputs);
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[repeats / 2];

        err.println("bench: oracle on " + oracleQueries + " queries of the same shape…");
        Map<String, Long> oracleSizes = c.sizes(Map.of("P", (long) oracleQueries, "M", (long) size, "E", (long) headDim,
            "F", (long) headDim));
        Map<String, float[]> oracleInputs = Tensors.randomInputs(c, oracleSizes, 1);
        long t0 = System.nanoTime();
        Oracle.run(c, oracleSizes, oracleInputs);
        double oracleMs = (System.nanoTime() - t0) / 1e6;
        double oracleGflops = 4.0 * oracleQueries * size * headDim / oracleMs / 1e6;

        NumpyReference.Search numpySearch = noNumpy ? null : NumpyReference.find(size, headDim, threads, err);
        NumpyReference numpyBest = numpySearch == null ? null : numpySearch.best();
        NumpyReference comparable = numpySearch == null ? null : numpySearch.comparable();
        Double numpy = comparable == null ? null : comparable.gflops();
        double executorGflops = flops / median / 1e6;

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("shape", Map.of("P", size, "M", size, "E", headDim, "F", headDim));
        json.put("threads", threads);
        json.put("vectorBits", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        json.put("executorMsMedian", median);
        json.put("executorMsRuns", ms);
        json.put("executorGflops", executorGflops);
        json.put("oracleGflops", oracleGflops);
        json.put("oracleQueries", oracleQueries);
        json.put("fmaPeakGflops", peak);
        json.put("fractionOfPeak", executorGflops / peak);
        // The peak is a best-of measurement; the executor's best run is its like-for-like partner.
        double bestGflops = flops / sorted[0] / 1e6;
        json.put("executorGflopsBest", bestGflops);
        json.put("fractionOfPeakBest", bestGflops / peak);
        json.put("speedupOverOracle", executorGflops / oracleGflops);
        json.put("numpyGflops", numpyBest == null ? null : numpyBest.gflops());
        json.put("numpy", numpyBest == null ? null : numpyJson(numpyBest));
        json.put("numpyCandidates", numpySearch == null ? List.of()
            : numpySearch.found().stream().map(BenchExecutorCommand::numpyJson).toList());
        json.put("numpyUnavailable", numpySearch == null ? List.of() : numpySearch.unavailable());
        json.put("ratioToNumpy", numpy == null ? null : executorGflops / numpy);
        json.put("noRatioBecause", numpyNote(numpySearch));
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("executor (1-pass, Vector API)", String.format("%.1f", executorGflops), String.format("%.1f ms median", median)));
        rows.add(List.of("executor, fastest run", String.format("%.1f", flops / sorted[0] / 1e6), String.format("%.1f ms", sorted[0])));
        rows.add(List.of("scalar oracle", String.format("%.3f", oracleGflops), oracleQueries + " queries"));
        rows.add(List.of("FMA loop (practical peak)", String.format("%.1f", peak), threads + " threads"));
        if (numpyBest != null) {
            rows.add(List.of("numpy, " + numpyBest.blas().label, String.format("%.1f", numpyBest.gflops()),
                "same shape, " + threads + " threads"));
        }
        Output.table(out, List.of("what", "GFLOP/s", "note"), rows);
        out.printf("executor / peak = %.2f (fastest run %.2f), executor / oracle = %.0f×%s%n", executorGflops / peak,
            flops / sorted[0] / 1e6 / peak,
            executorGflops / oracleGflops, numpy == null ? "" : String.format(", executor / numpy = %.2f", executorGflops / numpy));
        if (numpyBest != null) {
            out.println("numpy: " + numpyBest.describe());
        }
        String note = numpyNote(numpySearch);
        if (note != null) {
            out.println("no ratio to numpy: " + note);
        }
        return 0;
    }

    private static Map<String, Object> numpyJson(NumpyReference r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("python", r.python());
        j.put("version", r.numpyVersion());
        j.put("blas", r.blas().label);
        j.put("tunedBlas", r.blas().tuned);
        j.put("openblasCore", r.openblasCore());
        j.put("libraries", r.libraries());
        j.put("gflops", r.gflops());
        return j;
    }

    /** Why no executor/numpy ratio is given, or null when one is. */
    private static String numpyNote(NumpyReference.Search search) {
        if (search == null) {
            return "--no-numpy";
        }
        if (search.best() == null) {
            return "no python3 with numpy found" + (search.unavailable().isEmpty() ? ""
                : " (" + String.join("; ", search.unavailable()) + ")");
        }
        if (search.comparable() == null) {
            return "numpy runs on " + search.best().blas().label + ", which no tuned code should be measured against; "
                + "install Debian's libopenblas0-pthread (apt-get install libopenblas0-pthread) so Debian's numpy uses "
                + "OpenBLAS, or a numpy wheel, which bundles it";
        }
        return null;
    }
}
