package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.TensorDecl;
import cascade.einsum.analysis.Analysis;
import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every library cascade analysed and executed at its example sizes, and cross-checked against the
 * oracle at its check sizes (the demo of issue #2; the demo is now the FuseMax reproduction).
 */
@Command(name = "library", mixinStandardHelpOptions = true,
    description = "Run the attention library through the analyses, the executor and the oracle; print a table.",
    footer = {"", "Example:", "  ./cascade library"})
final class LibraryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--threads", description = "executor threads (default: all processors)")
    Integer threads;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        List<List<String>> rows = new ArrayList<>();
        double worst = 0;
        try (Executor executor = new Executor(n)) {
            List<String> names = CascadeLibrary.names();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!CascadeCommand.quiet()) {
                    err.printf("library: [%d/%d] %s%n", i + 1, names.size(), name);
                }
                Cascade c = CascadeLibrary.load(name);
                Map<String, Long> sizes = c.sizes(CascadeLibrary.exampleBindings(name));
                Analysis a = Analysis.of(c, sizes, "M");
                Map<String, float[]> in = Tensors.randomInputs(c, sizes, 1);
                long warmEnd = System.nanoTime() + 1_000_000_000L; // a second of runs, so the JIT has compiled the kernels
                do {
                    executor.run(c, sizes, in);
                } while (System.nanoTime() < warmEnd);
                double[] runs = new double[3];
                for (int r = 0; r < runs.length; r++) {
                    long t0 = System.nanoTime();
                    executor.run(c, sizes, in);
                    runs[r] = (System.nanoTime() - t0) / 1e6;
                }
                java.util.Arrays.sort(runs);
                double ms = runs[1]; // the median of three: the machines are shared and noisy
                Map<String, Long> small = c.sizes(CascadeLibrary.checkBindings(name));
                Map<String, float[]> smallIn = Tensors.randomInputs(c, small, 2);
                Map<String, float[]> fast = executor.run(c, small, smallIn).outputs();
                Map<String, double[]> slow = Oracle.run(c, small, smallIn);
                double err1 = 0;
                for (TensorDecl t : c.outputs()) {
                    err1 = Math.max(err1, Tensors.maxRelativeError(fast.get(t.name()), slow.get(t.name())));
                }
                worst = Math.max(worst, err1);
                rows.add(List.of(name, Integer.toString(a.passes()), Output.si(a.ops().get("mac")),
                    Output.si(a.ops().get("exp")), Output.si(a.footprintElements()), String.format("%.1f", ms),
                    String.format("%.1f", a.flops() / ms / 1e6), String.format("%.1e", err1)));
            }
        }
        out.println("Cascade attention library: analyses at example sizes (./cascade list; sizes in einsum/src/main/resources/library.index),");
        out.println("executor on " + n + " threads: median of 3 runs after a second of warm-up (./cascade bench executor for a calibrated rate),");
        out.println("and executor vs. scalar oracle at small sizes.");
        out.println();
        Output.table(out, List.of("cascade", "passes", "MACs", "exps", "footprint", "exec ms", "GFLOP/s", "vs oracle"), rows);
        out.println();
        out.printf("largest executor/oracle relative error: %.1e (fp32)%n", worst);
        return worst <= 1e-5 ? 0 : 1;
    }
}
