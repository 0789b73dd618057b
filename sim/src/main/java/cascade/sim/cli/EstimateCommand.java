package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.Design;
import cascade.mappings.DesignEstimator;
import cascade.mappings.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "estimate", mixinStandardHelpOptions = true,
    description = "Analytical estimate of a design on a model's attention: cycles, time, energy, DRAM traffic, utilisation.",
    footer = {"", "Designs: fusemax, flat, unfused (or a design YAML). Workloads: bert, trxl, t5, xlm.", "",
        "Examples:", "  ./cascade estimate --design fusemax --workload bert --seq 65536 --format json",
        "  ./cascade estimate --design unfused --workload xlm --seq 4096 --batch 8"})
final class EstimateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--design", required = true, paramLabel = "NAME|FILE", description = "a design preset or YAML file")
    String design;

    @Option(names = "--workload", required = true, description = "bert, trxl, t5 or xlm")
    String workload;

    @Option(names = "--seq", required = true, description = "sequence length (P = M)")
    long seq;

    @Option(names = "--batch", defaultValue = "64", description = "batch (default ${DEFAULT-VALUE})")
    long batch;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws IOException {
        Design d;
        if (Files.isRegularFile(Path.of(design))) {
            d = Design.parse(design, Files.readString(Path.of(design)));
        } else if (Design.presetNames().contains(design)) {
            d = Design.preset(design);
        } else {
            throw new InvalidInputException(new SourcePos("--design", 1, 1), "no design preset or file '" + design
                + "'; presets: " + String.join(", ", Design.presetNames()));
        }
        Workload w;
        try {
            w = Workload.of(workload);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(new SourcePos("--workload", 1, 1), "unknown workload '" + workload
                + "'; expected bert, trxl, t5 or xlm");
        }
        if (seq <= 0 || batch <= 0) {
            throw new InvalidInputException(new SourcePos(seq <= 0 ? "--seq" : "--batch", 1, 1), "must be positive");
        }
        Map<String, Long> bind = Map.of("P", seq, "M", seq, "E", (long) w.headDim(), "F", (long) w.headDim());
        DesignEstimator.Result r = new DesignEstimator(12, 400).estimate(d, bind, batch * w.heads());
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("design", r.design());
        json.put("workload", w.name().toLowerCase(java.util.Locale.ROOT));
        json.put("seq", seq);
        json.put("batch", batch);
        json.put("cycles", r.cycles());
        json.put("seconds", r.seconds());
        json.put("energyPj", r.energyPj());
        json.put("dramBytes", r.dramBytes());
        json.put("util2d", r.utilization().getOrDefault("PE2D", 0.0));
        json.put("util1d", r.utilization().getOrDefault("PE1D", 0.0));
        json.put("utilization", r.utilization());
        json.put("energyByComponentPj", r.energyByComponentPj());
        json.put("groupsOnChip", r.groupsOnChip());
        json.put("einsums", r.einsums());
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        out.printf("%s on %s attention, seq %d, batch %d: %d cycles (%.3g s), %.3g J, DRAM %.3g GB, util 2D %.2f, 1D %.2f%n",
            r.design(), w.name().toLowerCase(java.util.Locale.ROOT), seq, batch, r.cycles(), r.seconds(), r.energyPj() * 1e-12,
            r.dramBytes() / 1e9, r.utilization().getOrDefault("PE2D", 0.0), r.utilization().getOrDefault("PE1D", 0.0));
        List<List<String>> rows = new ArrayList<>();
        for (DesignEstimator.EinsumCost e : r.einsums()) {
            rows.add(List.of(e.output(), e.unit(), Long.toString(e.cycles()), String.format("%.3g", e.energyPj()),
                Long.toString(e.dramWords())));
        }
        Output.table(out, List.of("einsum", "unit", "cycles", "energy pJ", "DRAM words"), rows);
        return 0;
    }
}
