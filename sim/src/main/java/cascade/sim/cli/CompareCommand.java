package cascade.sim.cli;

import cascade.mappings.ClosedForm;
import cascade.mappings.Schedule;
import cascade.sim.engine.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "The analytical model and the simulator side by side on one design and workload.",
    footer = {"", "Example:", "  ./cascade compare --design fusemax --workload bert --seq 65536"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DesignWorkload run;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws IOException {
        Schedule s = run.schedule();
        Map<String, Object> model = Reports.of(ClosedForm.INSTANCE.cost(s));
        Map<String, Object> sim = Reports.of(Simulator.Model.DEFAULT.cost(s));
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.putAll(run.header(s.design().name()));
            json.put("model", model);
            json.put("sim", sim);
            Output.json(out, json);
            return 0;
        }
        out.printf("%s on %s%n", s.design().name(), run.describe());
        List<List<String>> rows = new ArrayList<>();
        for (String k : List.of("cycles", "seconds", "energyPj", "dramBytes", "util2d", "util1d")) {
            double m = ((Number) model.get(k)).doubleValue();
            double x = ((Number) sim.get(k)).doubleValue();
            rows.add(List.of(k, String.format("%.6g", m), String.format("%.6g", x), m == 0 ? "-" : String.format("%.4f", x / m)));
        }
        Output.table(out, List.of("figure", "model", "simulator", "sim / model"), rows);
        return 0;
    }
}
