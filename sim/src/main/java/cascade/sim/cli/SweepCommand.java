package cascade.sim.cli;

import cascade.mappings.SweepPlan;
import cascade.mappings.SweepRunner;
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

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (!java.nio.file.Files.isRegularFile(sweepFile)) {
            throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("<command line>", 1, 1),
                "no sweep file '" + sweepFile + "'");
        }
        String text = java.nio.file.Files.readString(sweepFile);
        SweepPlan sweep = text.lines().anyMatch(l -> l.startsWith("spatten:"))
            ? cascade.sim.spatten.SpattenSweep.parse(sweepFile.toString(), text) : SweepPlan.load(sweepFile);
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        SweepRunner.Outcome o = new SweepRunner(sweep).run(out, n, !quiet);
        spec.commandLine().getErr().println("sweep " + sweep.name() + ": " + sweep.points() + " points (" + o.evaluated()
            + " evaluated now, " + o.resumed() + " kept from an earlier run) -> " + o.output());
        return 0;
    }
}
