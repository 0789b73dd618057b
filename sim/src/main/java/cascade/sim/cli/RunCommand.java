package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.ElementType;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.einsum.TensorDecl;
import cascade.einsum.analysis.Analysis;
import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a cascade on random inputs with the executor and the scalar oracle, and compare them.",
    footer = {"", "Examples:", "  ./cascade run fusemax --bind M=2048,P=2048,E=64,F=64 --seed 1",
        "  ./cascade run attention-1pass --bind M=65536,P=128,E=128,F=128 --no-oracle --format json",
        "  ./cascade run quest --precision bf16",
        "  ./cascade run attention-1pass --inputs arrays/ --out results/   (Q.npy, K.npy, V.npy in; AV.npy out)"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CASCADE", description = "a cascade file, or a library name")
    String cascade;

    @Option(names = "--bind", paramLabel = "NAME=SIZE,…", description = "sizes (a library cascade defaults to its example sizes)")
    String bind;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the random inputs (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "executor threads (default: all processors)")
    Integer threads;

    @Option(names = "--precision", paramLabel = "TYPE", description = "store every floating-point tensor as fp32, bf16 or fp16")
    String precision;

    @Option(names = "--no-oracle", description = "skip the oracle (it is slow: one double per point, no vectors)")
    boolean noOracle;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Option(names = "--inputs", paramLabel = "DIR", description = "read each input tensor from DIR/NAME.npy (shaped in its "
        + "declared index order; the shapes bind the ranks they span) instead of seeded random values")
    Path inputsDir;

    @Option(names = "--out", paramLabel = "DIR", description = "write every output tensor to DIR/NAME.npy")
    Path outDir;

    @Override
    public Integer call() {
        Cascade c = Inputs.cascade(cascade);
        c = c.withParameters(Inputs.reals(bind, c));
        if (precision != null) {
            ElementType t = ElementType.fromKeyword(precision);
            if (t == null || !t.isFloating()) {
                throw new InvalidInputException(new SourcePos("--precision", 1, 1), "expected fp32, bf16 or fp16, found '" + precision + "'");
            }
            c = c.withFloatType(t);
        }
        Map<String, Long> explicit = Inputs.bindings(bind, c);
        Map<String, Long> bindings = new LinkedHashMap<>(bind == null && CascadeLibrary.contains(cascade)
            ? CascadeLibrary.exampleBindings(cascade) : Map.of());
        TensorFiles.Loaded files = inputsDir == null ? null : TensorFiles.read(inputsDir, c, explicit);
        if (files != null) {
            // A shape fixes a rank; an example size must not also fix one of its parts.
            for (String rank : files.shapeSizes().keySet()) {
                bindings.keySet().removeAll(c.rankFamily(rank));
            }
            bindings.putAll(files.shapeSizes());
        }
        bindings.putAll(explicit);
        Map<String, Long> sizes = c.sizes(bindings);
        Map<String, float[]> inputs = files == null ? Tensors.randomInputs(c, sizes, seed) : TensorFiles.values(files);
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Map<String, float[]> fast;
        long t0 = System.nanoTime();
        try (Executor executor = new Executor(n)) {
            fast = executor.run(c, sizes, inputs).outputs();
        }
        double executorMs = (System.nanoTime() - t0) / 1e6;
        if (outDir != null) {
            TensorFiles.writeOutputs(outDir, c, sizes, fast);
        }
        double flops = Analysis.of(c, sizes, "M").flops();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cascade", c.name());
        json.put("sizes", new java.util.TreeMap<>(sizes));
        json.put("inputs", files == null ? "random, seed " + seed : inputsDir.toString());
        json.put("seed", seed);
        json.put("threads", n);
        json.put("executorMs", executorMs);
        json.put("executorGflops", flops / executorMs / 1e6);
        // NaN and infinities the executor's outputs hold: a NaN or infinite input reaches them, or a store overflowed.
        Map<String, Long> nonFinite = new LinkedHashMap<>();
        c.outputs().forEach(t -> nonFinite.put(t.name(), Tensors.nonFinite(fast.get(t.name()))));
        json.put("nonFiniteOutputs", nonFinite);
        Map<String, Object> errors = new LinkedHashMap<>();
        double worstAbs = 0;
        double worstRel = 0;
        if (!noOracle) {
            long t1 = System.nanoTime();
            Oracle.Counted counted = Oracle.runCounted(c, sizes, inputs);
            Map<String, double[]> slow = counted.outputs();
            json.put("oracleMs", (System.nanoTime() - t1) / 1e6);
            // Elements per tensor whose normalisation was over nothing (no key survived its mask): zeros.
            json.put("emptyNormalisations", counted.emptyNormalisations());
            for (TensorDecl out : c.outputs()) {
                double abs = Tensors.maxAbsoluteError(fast.get(out.name()), slow.get(out.name()));
                double rel = Tensors.maxRelativeError(fast.get(out.name()), slow.get(out.name()));
                errors.put(out.name(), Map.of("maxAbsError", abs, "maxRelError", rel));
                worstAbs = Math.max(worstAbs, abs);
                worstRel = Math.max(worstRel, rel);
            }
            json.put("maxAbsError", worstAbs);
            json.put("maxRelError", worstRel);
            json.put("outputs", errors);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        out.println(c.name() + " at " + new java.util.TreeMap<>(sizes) + ", " + (files == null ? "seed " + seed : "inputs from " + inputsDir)
            + ", " + n + " threads" + (outDir == null ? "" : ", outputs written to " + outDir));
        out.printf("  executor: %.1f ms (%.1f GFLOP/s)%n", executorMs, flops / executorMs / 1e6);
        nonFinite.forEach((name, count) -> {
            if (count > 0) {
                out.printf("  %s: %d elements NaN or infinite (a NaN or infinite input reaches them, or a store overflowed)%n",
                    name, count);
            }
        });
        if (!noOracle) {
            out.printf("  oracle:   %.1f ms%n", (Double) json.get("oracleMs"));
            List<List<String>> rows = new ArrayList<>();
            errors.forEach((name, e) -> {
                @SuppressWarnings("unchecked")
                Map<String, Double> m = (Map<String, Double>) e;
                rows.add(List.of(name, String.format("%.3e", m.get("maxAbsError")), String.format("%.3e", m.get("maxRelError"))));
            });
            Output.table(out, List.of("output", "max abs error", "max rel error"), rows);
            @SuppressWarnings("unchecked")
            Map<String, Long> empty = (Map<String, Long>) json.get("emptyNormalisations");
            empty.forEach((name, count) -> {
                if (count > 0) {
                    out.printf("  %s: %d elements normalised over nothing (0/0: no key survived), set to 0%n", name, count);
                }
            });
        }
        return 0;
    }
}
