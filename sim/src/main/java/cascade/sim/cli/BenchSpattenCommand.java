package cascade.sim.cli;

import cascade.sim.spatten.SpattenRun;
import cascade.traces.SpattenTrace;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** How long the released SpAtten traces take, read and simulated with their dense baseline (target: a minute each). */
@Command(name = "spatten", mixinStandardHelpOptions = true,
    description = "Wall time of each released SpAtten trace (read, simulate, dense baseline); target under a minute each.",
    footer = {"", "Example:", "  ./cascade bench spatten --format json"})
final class BenchSpattenCommand implements Callable<Integer> {
    static final double TARGET_SECONDS = 60;

    @Spec
    CommandSpec spec;

    @Option(names = "--traces", defaultValue = "../shared/data/spatten-workloads", paramLabel = "DIR",
        description = "the release's folder (default ${DEFAULT-VALUE}, from the repository)")
    Path traces;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws Exception {
        Path dir = Inputs.inRepository(traces);
        if (!Files.isDirectory(dir)) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--traces", 1, 1), "no folder " + dir);
        }
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Path f : files) {
            long t0 = System.nanoTime();
            SpattenTrace t = SpattenTrace.read(f);
            Map<String, Object> r = SpattenRun.release(SpattenRun.architecture(), t, 1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trace", f.getFileName().toString());
            m.put("heads", t.rows().size());
            m.put("wallSeconds", seconds);
            m.put("ratioToTarget", seconds / TARGET_SECONDS);
            m.put("cycles", r.get("cycles"));
            runs.add(m);
        }
        if (format == Output.Format.json) {
            Output.json(spec.commandLine().getOut(), Map.of("targetSeconds", TARGET_SECONDS, "traces", runs));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> m : runs) {
            rows.add(List.of((String) m.get("trace"), m.get("heads").toString(),
                String.format(Locale.ROOT, "%.2f", (double) m.get("wallSeconds")),
                String.format(Locale.ROOT, "%.3f", (double) m.get("ratioToTarget"))));
        }
        Output.table(spec.commandLine().getOut(), List.of("trace", "heads", "wall s", "of a minute"), rows);
        return 0;
    }
}
