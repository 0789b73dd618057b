package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.sim.fuzz.FuzzRun;
import java.io.IOException;
import java.io.PrintWriter;
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

@Command(name = "fuzz", mixinStandardHelpOptions = true,
    description = "Coverage-guided fuzzing (Jazzer) of every reader of user input: the cascade language, architecture, "
        + "design, mapping, sweep, SpAtten-sweep, RTL-core and Timeloop YAML, kernel points, request and SpAtten traces, "
        + ".npy. Anything but a located input error, or a hang past 10 s, is a finding; exit 1 if there is one.",
    footer = {"", "The corpus grows in --work (a second run continues it); findings are kept in WORK/GROUP/findings: copy a "
        + "finding's keep-* file to sim/src/test/resources/fuzz/ once fixed, and FuzzRegressionTest runs it in ./test.", "",
        "Example:", "  ./cascade bench fuzz --seconds 120 --format json"})
final class BenchFuzzCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "120", description = "seconds of fuzzing in all (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--work", defaultValue = "target/fuzz", paramLabel = "DIR",
        description = "corpus and findings (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (seconds < 1 || seconds > 86_400) {
            throw new InvalidInputException(new SourcePos("--seconds", 1, 1), "must be between 1 and 86400");
        }
        Path home = Path.of(System.getProperty("cascade.home", "."));
        PrintWriter err = spec.commandLine().getErr();
        FuzzRun.Result r = FuzzRun.run(home, work, seconds, line -> {
            if (!CascadeCommand.quiet()) {
                err.println("fuzz: " + line);
                err.flush();
            }
        });
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seconds", r.seconds());
        json.put("executions", r.executions());
        json.put("executionsPerSecond", r.executions() / Math.max(1, r.seconds()));
        json.put("seeds", r.seeds());
        json.put("targets", r.perTarget());
        json.put("unexpectedExceptions", r.unexpectedExceptions());
        List<Map<String, String>> findings = new ArrayList<>();
        for (FuzzRun.Finding f : r.findings()) {
            findings.add(Map.of("kind", f.kind(), "detail", f.detail(), "input", f.input(), "regressionInput", f.keep()));
        }
        json.put("findings", findings);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Output.json(out, json);
        } else {
            out.printf(Locale.ROOT, "%,d executions in %.0f s (%,.0f/s) from %d seeds; %d unexpected%n", r.executions(),
                r.seconds(), r.executions() / Math.max(1, r.seconds()), r.seeds(), r.unexpectedExceptions());
            List<List<String>> rows = new ArrayList<>();
            r.perTarget().forEach((t, n) -> rows.add(List.of(t, String.format(Locale.ROOT, "%,d", n))));
            Output.table(out, List.of("reader", "executions"), rows);
            for (FuzzRun.Finding f : r.findings()) {
                out.println(f.kind() + ": " + f.detail() + " (" + f.input() + "; to keep once fixed: " + f.keep() + ")");
            }
        }
        return r.unexpectedExceptions() == 0 ? 0 : 1;
    }
}
