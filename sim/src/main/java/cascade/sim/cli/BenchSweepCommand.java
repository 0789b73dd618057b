package cascade.sim.cli;

import cascade.mappings.sweep.SweepPlan;
import cascade.mappings.sweep.SweepRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Sweep throughput, points per second, on the thread pool and on Spark local[2], in one run. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Sweep throughput on both engines (thread pool, Spark local[2]) over examples/big-sweep.yaml: points/s.",
    footer = {"", "Example:", "  ./cascade bench sweep --format json"})
final class BenchSweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sweep", defaultValue = "examples/big-sweep.yaml", description = "the sweep (default ${DEFAULT-VALUE})")
    Path sweep;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("cascade.home", "."));
        Path file = sweep.isAbsolute() || Files.exists(sweep) ? sweep : home.resolve(sweep);
        if (!Files.isRegularFile(file)) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--sweep", 1, 1), "no file " + sweep);
        }
        SweepPlan plan = cascade.sim.Sweeps.load(file);
        Path dir = Files.createTempDirectory("cascade-bench-sweep");
        try {
            long t0 = System.nanoTime();
            new SweepRunner(plan).run(dir.resolve("local.csv"), Runtime.getRuntime().availableProcessors(), false);
            double local = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            int code = SweepCommand.spark(file, dir.resolve("spark.csv"), "local[2]", true, spec.commandLine().getErr());
            double spark = (System.nanoTime() - t1) / 1e9;
            boolean same = code == 0 && Files.readString(dir.resolve("local.csv")).equals(Files.readString(dir.resolve("spark.csv")));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("sweep", plan.name());
            json.put("points", plan.points());
            json.put("localPointsPerSecond", plan.points() / local);
            json.put("sparkPointsPerSecond", plan.points() / spark);
            json.put("sparkSecondsIncludeStartup", true);
            json.put("sameRows", same);
            if (format == Output.Format.json) {
                Output.json(spec.commandLine().getOut(), json);
            } else {
                spec.commandLine().getOut().printf(Locale.ROOT, "%s, %d points: thread pool %.0f points/s (%.1f s), Spark local[2] "
                        + "%.0f points/s (%.1f s, its JVM's start included); same rows: %s%n", plan.name(), plan.points(),
                    plan.points() / local, local, plan.points() / spark, spark, same);
            }
            return same ? 0 : 1;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
