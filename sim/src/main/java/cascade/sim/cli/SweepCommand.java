package cascade.sim.cli;

import cascade.mappings.sweep.SweepPlan;
import cascade.mappings.sweep.SweepRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Run a design-space sweep: one CSV row per point, Pareto front marked; resumes where a killed run stopped.",
    footer = {"", "Examples:", "  ./cascade sweep examples/qk-array-sweep.yaml --out qk-array.csv",
        "  ./cascade sweep examples/designs-sweep.yaml --out designs.csv",
        "  ./cascade sweep examples/spatten-sweep.yaml --out spatten.csv",
        "  ./cascade sweep my-sweep.yaml --out results.csv --threads 2 --quiet"})
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SWEEP.yaml", description = "the sweep spec")
    Path sweepFile;

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "where the results go (written atomically)")
    Path out;

    @Option(names = "--threads", description = "points evaluated at once (default: all processors)")
    Integer threads;

    @Option(names = "--engine", defaultValue = "local", description = "local (a thread pool, the default) or spark")
    String engine;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master for --engine spark: local[N], "
        + "standalone[N] (a standalone master and N workers on 127.0.0.1, started for the run and stopped after it) or "
        + "spark://HOST:PORT (a cluster you run) (default ${DEFAULT-VALUE})")
    String master;

    @Override
    public Integer call() throws Exception {
        if (!java.nio.file.Files.isRegularFile(sweepFile)) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("<command line>", 1, 1),
                "no sweep file '" + sweepFile + "'");
        }
        if (!engine.equals("local") && !engine.equals("spark")) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--engine", 1, 1),
                "expected local or spark, found '" + engine + "'");
        }
        if (engine.equals("spark") && !master.matches("local(\\[(\\*|\\d{1,3})(,\\d{1,2})?])?|standalone\\[([1-9]|1[0-6])]"
                + "|spark://[A-Za-z0-9.\\-]+:\\d{1,5}")) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--master", 1, 1),
                "expected local[N], standalone[N] (N from 1 to 16) or spark://HOST:PORT, found '" + master + "'");
        }
        SweepPlan sweep = cascade.sim.Sweeps.load(sweepFile);
        if (engine.equals("spark")) {
            return spark(sweepFile, out, master, CascadeCommand.quiet(), spec.commandLine().getErr());
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        SweepRunner.Outcome o = new SweepRunner(sweep).run(out, n, !CascadeCommand.quiet());
        spec.commandLine().getErr().println("sweep " + sweep.name() + ": " + sweep.points() + " points (" + o.evaluated()
            + " evaluated now, " + o.resumed() + " kept from an earlier run) -> " + o.output());
        return 0;
    }

    /**
     * Runs the sweep's Spark driver ({@code cascade.spark.SparkSweep}, module spark) in its own JVM:
     * Spark's dependencies stay off the CLI's classpath, and its logging and threads end with it.
     */
    static int spark(Path sweepFile, Path out, String master, boolean quiet, java.io.PrintWriter err)
            throws java.io.IOException, InterruptedException {
        Path home = Path.of(System.getProperty("cascade.home", "."));
        Path target = home.resolve("spark").resolve("target");
        Path jar;
        try (var files = java.nio.file.Files.list(target)) {
            jar = files.filter(f -> f.getFileName().toString().matches("cascade-spark-.*\\.jar")
                && !f.getFileName().toString().contains("cluster")).findFirst().orElse(null);
        } catch (java.nio.file.NoSuchFileException e) {
            jar = null;
        }
        if (jar == null) {
            throw new java.io.IOException("the Spark driver is not built: run ./cascade (it builds every module) or mvn install");
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", jar + java.io.File.pathSeparator + target.resolve("lib") + "/*",
            "cascade.spark.SparkSweep", sweepFile.toString(), "--out", out.toString(), "--master", master);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!quiet && !line.contains(" INFO ") && !line.startsWith("WARNING")) {
                    err.println(line);
                }
            }
        }
        int code = p.waitFor();
        return code == 0 ? 0 : code == 2 ? 2 : 1;
    }
}
