package cascade.sim.cli;

import cascade.hw.TopKEngine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How fast the top-k engine models run: candidate scores selected per wall second (one thread),
 * for SpAtten's quick-select (16 lanes) and the bitonic alternative, on random scores at the
 * sizes decoding sees, k a quarter of n. Target: 50 M candidates/s.
 */
@Command(name = "topk", mixinStandardHelpOptions = true,
    description = "Top-k engine model speed: candidate scores per second (target 50 M/s).",
    footer = {"", "Example:", "  ./cascade bench topk --format json"})
final class BenchTopkCommand implements Callable<Integer> {
    static final double TARGET = 50e6;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "1", description = "seconds timed per case (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() {
        if (!(seconds > 0 && seconds <= 60)) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--seconds", 1, 1), "must be in (0, 60]");
        }
        List<Map<String, Object>> cases = new ArrayList<>();
        for (TopKEngine engine : new TopKEngine[] {new TopKEngine.QuickSelect(16, 3, TopKEngine.Pivot.RANDOM, 1),
                new TopKEngine.Bitonic(16)}) {
            for (int n : new int[] {1024, 4096, 65536}) {
                SplittableRandom r = new SplittableRandom(n);
                float[][] inputs = new float[64][n];
                for (float[] in : inputs) {
                    for (int i = 0; i < n; i++) {
                        in[i] = (float) r.nextDouble();
                    }
                }
                long sink = 0;
                for (int i = 0; i < 200; i++) { // warm-up
                    sink += engine.select(inputs[i % inputs.length], n, n / 4).cycles();
                }
                long selections = 0;
                long t0 = System.nanoTime();
                long deadline = t0 + (long) (seconds * 1e9);
                while (System.nanoTime() < deadline) {
                    sink += engine.select(inputs[(int) (selections % inputs.length)], n, n / 4).cycles();
                    selections++;
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("engine", engine instanceof TopKEngine.QuickSelect ? "quickselect-16" : "bitonic-16");
                c.put("n", n);
                c.put("k", n / 4);
                c.put("candidatesPerSecond", selections * (double) n / wall);
                c.put("ratioToTarget", selections * (double) n / wall / TARGET);
                c.put("meanEngineCycles", (double) sink / (selections + 200));
                cases.add(c);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("targetCandidatesPerSecond", TARGET);
            json.put("cases", cases);
            Output.json(out, json);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            rows.add(List.of((String) c.get("engine"), c.get("n").toString(), c.get("k").toString(),
                String.format(Locale.ROOT, "%.1f M", (double) c.get("candidatesPerSecond") / 1e6),
                String.format(Locale.ROOT, "%.2f", (double) c.get("ratioToTarget"))));
        }
        out.println("Top-k engine models, one thread, random scores, k = n/4 (target 50 M candidates/s)");
        Output.table(out, List.of("engine", "n", "k", "candidates/s", "vs target"), rows);
        return 0;
    }
}
