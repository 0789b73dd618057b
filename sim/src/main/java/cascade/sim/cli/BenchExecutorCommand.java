package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Dense 1-pass attention on the executor, the oracle on a slice of the same shape, a pure FMA
 * loop as the practical peak, and numpy (OpenBLAS) on the same shape when python3 has it —
 * all measured in this one run, since the machines are shared and noisy.
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

        Double numpy = noNumpy ? null : numpyGflops(err);
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
        json.put("numpyGflops", numpy);
        json.put("ratioToNumpy", numpy == null ? null : executorGflops / numpy);
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("executor (1-pass, Vector API)", String.format("%.1f", executorGflops), String.format("%.1f ms median", median)));
        rows.add(List.of("executor, fastest run", String.format("%.1f", flops / sorted[0] / 1e6), String.format("%.1f ms", sorted[0])));
        rows.add(List.of("scalar oracle", String.format("%.3f", oracleGflops), oracleQueries + " queries"));
        rows.add(List.of("FMA loop (practical peak)", String.format("%.1f", peak), threads + " threads"));
        if (numpy != null) {
            rows.add(List.of("numpy + OpenBLAS (dense)", String.format("%.1f", numpy), "same shape"));
        }
        Output.table(out, List.of("what", "GFLOP/s", "note"), rows);
        out.printf("executor / peak = %.2f (fastest run %.2f), executor / oracle = %.0f×%s%n", executorGflops / peak,
            flops / sorted[0] / 1e6 / peak,
            executorGflops / oracleGflops, numpy == null ? "" : String.format(", executor / numpy = %.2f", executorGflops / numpy));
        return 0;
    }

    /** Dense softmax(QᵀK/√E)V in numpy on the same shape; best of three; null where numpy is missing. */
    private Double numpyGflops(PrintWriter err) {
        String script = String.join("\n",
            "import time, numpy as np",
            "P = M = " + size + "; E = " + headDim,
            "r = np.random.default_rng(1)",
            "q = r.standard_normal((P, E), dtype=np.float32); k = r.standard_normal((M, E), dtype=np.float32)",
            "v = r.standard_normal((M, E), dtype=np.float32)",
            "def attn():",
            "    s = (q * np.float32(1 / np.sqrt(E))) @ k.T",
            "    s -= s.max(axis=1, keepdims=True)",
            "    np.exp(s, out=s)",
            "    s /= s.sum(axis=1, keepdims=True)",
            "    return s @ v",
            "attn()",
            "best = 1e9",
            "for _ in range(3):",
            "    t = time.perf_counter(); attn(); best = min(best, time.perf_counter() - t)",
            "print(4 * P * M * E / best / 1e9)");
        err.println("bench: numpy on the same shape…");
        try {
            Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
            String text;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                text = String.join("\n", r.lines().toList());
            }
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                err.println("bench: numpy reference unavailable: " + text.lines().reduce((a, b) -> b).orElse("no output"));
                return null;
            }
            return Double.parseDouble(text.strip().lines().reduce((a, b) -> b).orElseThrow());
        } catch (Exception e) {
            err.println("bench: numpy reference unavailable: " + e.getMessage());
            return null;
        }
    }
}
