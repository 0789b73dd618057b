package cascade.sim.cli;

import cascade.hw.ComputeArray;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import cascade.sim.engine.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "The analytical model and the simulator side by side on one design and workload.",
    footer = {"", "Example:", "  ./cascade compare --design fusemax --workload bert --seq 65536"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DesignWorkload run;

    @Override
    public Integer call() throws IOException {
        Schedule s = run.schedule();
        Report model = ClosedForm.INSTANCE.cost(s);
        Report sim = Simulator.Model.DEFAULT.cost(s);
        PrintWriter out = spec.commandLine().getOut();
        if (run.format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.putAll(run.header(s.design().name()));
            run.bindingInto(json, s.design());
            json.put("model", Reports.of(model));
            json.put("sim", Reports.of(sim));
            Output.json(out, json);
            return 0;
        }
        out.printf("%s on %s%n", s.design().name(), run.describe());
        Map<String, ToDoubleFunction<Report>> figures = new LinkedHashMap<>();
        figures.put("cycles", Report::cycles);
        figures.put("seconds", Report::seconds);
        figures.put("energyPj", Report::energyPj);
        figures.put("dramBytes", Report::dramBytes);
        figures.put("util2d", r -> r.utilization(ComputeArray.Kind.ARRAY_2D));
        figures.put("util1d", r -> r.utilization(ComputeArray.Kind.ARRAY_1D));
        List<List<String>> rows = new ArrayList<>();
        figures.forEach((k, f) -> {
            double m = f.applyAsDouble(model);
            double x = f.applyAsDouble(sim);
            rows.add(List.of(k, String.format("%.6g", m), String.format("%.6g", x), m == 0 ? "-" : String.format("%.4f", x / m)));
        });
        Output.table(out, List.of("figure", "model", "simulator", "sim / model"), rows);
        return 0;
    }
}
