package cascade.sim.cli;

import cascade.mappings.spec.Design;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.Report;
import cascade.mappings.spec.ModelShape;
import cascade.mappings.lowering.Schedule;
import cascade.sim.engine.Simulator;
import java.io.PrintWriter;
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

/**
 * How fast the simulator is: FuseMax on BERT-Base attention (batch 64, 12 heads) from 64K to 1M
 * tokens, the design lowered once per length (not timed) and simulated {@code --repeats} times
 * (median timed). Reports simulated cycles per wall second, and how wall time grows against the
 * number of tiles (the target: no faster).
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
    description = "Simulator speed: FuseMax on BERT attention (batch 64) at 64K-1M tokens, dense and StreamingLLM; wall "
        + "time vs number of tiles.",
    footer = {"", "Example:", "  ./cascade bench sim --format json"})
final class BenchSimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--repeats", defaultValue = "5", description = "timed runs per length (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() {
        if (repeats < 1) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--repeats", 1, 1), "must be positive");
        }
        Lowering lowering = Lowering.standard();
        Design dense = Design.preset("fusemax");
        // StreamingLLM (4 sinks + a 256-token window) on the same design: most runs skipped, the rest partly masked.
        Design sparse = dense.withCascade(cascade.einsum.CascadeLibrary.load("streaming-llm"));
        List<Map<String, Object>> points = new ArrayList<>();
        for (Design d : List.of(dense, sparse))
        for (long n : new long[] {1 << 16, 1 << 18, 1 << 20}) {
            Schedule s = lowering.lower(d, ModelShape.BERT.bindings(n), 64L * ModelShape.BERT.heads());
            Simulator.run(s, Simulator.Options.defaults()); // warm-up
            double[] wall = new double[repeats];
            Report r = null;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                r = Simulator.run(s, Simulator.Options.defaults());
                wall[i] = (System.nanoTime() - t0) / 1e9;
            }
            java.util.Arrays.sort(wall);
            Schedule.Stage st = s.stages().getFirst();
            long tiles = st.tilesPerHead() * s.heads();
            long runs = tiles * st.blocks() * st.steps();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("cascade", d.cascade().name());
            p.put("seq", n);
            p.put("tiles", tiles);
            p.put("stepRuns", runs);
            p.put("wallSeconds", wall[repeats / 2]);
            p.put("simulatedCycles", r.cycles());
            p.put("simulatedCyclesPerSecond", r.cycles() / wall[repeats / 2]);
            Report.SimulationDetail detail = (Report.SimulationDetail) r.detail();
            p.put("tasksPlaced", detail.simulatedTasks());
            p.put("tasksSkipped", detail.skippedTasks());
            points.add(p);
        }
        double wallGrowth = (double) points.get(2).get("wallSeconds") / (double) points.getFirst().get("wallSeconds");
        double tileGrowth = (double) (long) points.get(2).get("tiles") / (long) points.getFirst().get("tiles");
        double sparseOverDense1M = (double) points.getLast().get("wallSeconds") / (double) points.get(2).get("wallSeconds");
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("design", "fusemax");
            json.put("workload", "bert, batch 64");
            json.put("points", points);
            json.put("wallGrowth64Kto1M", wallGrowth);
            json.put("tileGrowth64Kto1M", tileGrowth);
            json.put("streamingLlmOverDenseWall1M", sparseOverDense1M);
            Output.json(out, json);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> p : points) {
            rows.add(List.of((String) p.get("cascade"), Long.toString((long) p.get("seq")), Long.toString((long) p.get("tiles")),
                String.format(Locale.ROOT, "%.3g", (double) (long) p.get("stepRuns")),
                String.format(Locale.ROOT, "%.3f", (double) p.get("wallSeconds")),
                String.format(Locale.ROOT, "%.3g", (double) p.get("simulatedCyclesPerSecond")),
                Long.toString((long) p.get("tasksPlaced"))));
        }
        out.println("FuseMax on BERT attention, batch 64 x 12 heads; median of " + repeats + " runs");
        Output.table(out, List.of("cascade", "seq", "tiles", "step runs", "wall s", "sim cycles / s", "tasks placed"), rows);
        out.printf(Locale.ROOT, "64K -> 1M (fusemax): wall time x%.2f, tiles x%.0f (wall must grow no faster than tiles)%n",
            wallGrowth, tileGrowth);
        out.printf(Locale.ROOT, "at 1M: StreamingLLM's wall time / dense attention's = %.2f (target: no more than 1)%n",
            sparseOverDense1M);
        return 0;
    }
}
