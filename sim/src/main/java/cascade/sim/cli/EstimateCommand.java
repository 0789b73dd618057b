package cascade.sim.cli;

import cascade.hw.ComputeArray;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.model.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "estimate", mixinStandardHelpOptions = true,
    description = "Analytical estimate of a design on a model's attention: cycles, time, energy, DRAM traffic, utilisation.",
    footer = {"", "Designs: fusemax, flat, unfused (or a design YAML). Workloads: the models of ./cascade list (bert, trxl, t5, xlm, gpt2, llama-2-70b, …).", "",
        "Examples:", "  ./cascade estimate --design fusemax --workload bert --seq 65536 --format json",
        "  ./cascade estimate --design fusemax --workload bert --seq 65536 --explain energy.GlobalBuffer",
        "  ./cascade estimate --design unfused --workload xlm --seq 4096 --batch 8"})
final class EstimateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DesignWorkload run;

    @Mixin
    ExplainOption explain;

    @picocli.CommandLine.Option(names = "--spatten-trace", paramLabel = "FILE",
        description = "a workload summary released with SpAtten, estimated on --design spatten head shape by head shape "
            + "(as sim --design spatten --simulator general does)")
    java.nio.file.Path release;

    @Override
    public Integer call() throws IOException {
        if (release != null) {
            if (explain.figure != null) {
                throw new cascade.einsum.InvalidInputException(new cascade.einsum.SourcePos("--explain", 1, 1),
                    "explains one design on one workload, not a released trace");
            }
            return SpattenOptions.releaseOnDesign(spec, run, run.format, release, ClosedForm.INSTANCE, "closed-form");
        }
        Schedule s = run.schedule();
        Report r = ClosedForm.INSTANCE.cost(s);
        PrintWriter out = spec.commandLine().getOut();
        if (explain.figure != null) {
            return explain.print(out, r);
        }
        Map<String, Object> json = run.json(r);
        run.bindingInto(json, s.design());
        if (run.format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        out.printf("%s on %s: %d cycles (%.3g s), %.3g J, DRAM %.3g GB, util 2D %.2f, 1D %.2f%n",
            r.design(), run.describe(), r.cycles(), r.seconds(), r.energyPj() * 1e-12,
            r.dramBytes() / 1e9, r.utilization(ComputeArray.Kind.ARRAY_2D), r.utilization(ComputeArray.Kind.ARRAY_1D));
        List<List<String>> rows = new ArrayList<>();
        for (Report.EinsumCost e : ((Report.ClosedFormDetail) r.detail()).einsums()) {
            rows.add(List.of(e.output(), e.unit(), Long.toString(e.cycles()), String.format("%.3g", e.energyPj()),
                Long.toString(e.dramWords())));
        }
        Output.table(out, List.of("einsum", "unit", "cycles", "energy pJ", "DRAM words"), rows);
        return 0;
    }
}
