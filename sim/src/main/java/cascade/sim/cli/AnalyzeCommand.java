package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.analysis.Analysis;
import cascade.einsum.analysis.OpCounts;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Passes over the key rank, exact operation counts and the live intermediate footprint at bound sizes.",
    footer = {"", "Examples:", "  ./cascade analyze attention-1pass --bind M=4096,P=4096,E=64,F=64 --format json",
        "  ./cascade analyze my.cas --bind M=65536 --pass-rank M"})
final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CASCADE", description = "a cascade file, or a library name")
    String cascade;

    @Option(names = "--bind", paramLabel = "NAME=SIZE,…", description = "rank and parameter sizes")
    String bind;

    @Option(names = "--pass-rank", defaultValue = "M", description = "the key rank whose passes are counted (default ${DEFAULT-VALUE})")
    String passRank;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() {
        Cascade c = Inputs.cascade(cascade);
        c = c.withParameters(Inputs.reals(bind, c));
        Map<String, Long> sizes = c.sizes(Inputs.bindings(bind, c));
        Analysis a = Analysis.of(c, sizes, passRank);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("cascade", a.cascade());
            json.put("sizes", new java.util.TreeMap<>(a.sizes()));
            json.put("passRank", a.passRank());
            json.put("passes", a.passes());
            json.put("ops", a.ops());
            json.put("effectualOps", a.effectualOps());
            json.put("opsExact", a.opsExact());
            json.put("flops", a.flops());
            json.put("footprintElements", a.footprintElements());
            List<Map<String, Object>> per = new ArrayList<>();
            for (OpCounts.EinsumOps e : a.perEinsum()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("output", e.output());
                m.put("points", e.points());
                m.put("effectualPoints", e.effectual());
                Map<String, Long> nonZero = new LinkedHashMap<>();
                e.ops().forEach((k, v) -> {
                    if (v != 0) {
                        nonZero.put(k, v);
                    }
                });
                m.put("ops", nonZero);
                Map<String, Long> effectual = new LinkedHashMap<>();
                e.effectualOps().forEach((k, v) -> {
                    if (nonZero.containsKey(k)) {
                        effectual.put(k, v);
                    }
                });
                m.put("effectualOps", effectual);
                per.add(m);
            }
            json.put("einsums", per);
            Output.json(out, json);
            return 0;
        }
        out.println(a.cascade() + " at " + new java.util.TreeMap<>(a.sizes()));
        out.println("  passes over " + a.passRank() + ": " + a.passes());
        out.println("  live intermediate footprint: " + a.footprintElements() + " elements");
        out.println("  flops: " + a.flops() + (a.opsExact() ? "" : " (upper bound: a tensor mask depends on data)")
            + ", effectual: " + Analysis.flops(a.effectualOps()));
        List<List<String>> rows = new ArrayList<>();
        for (OpCounts.EinsumOps e : a.perEinsum()) {
            List<String> row = new ArrayList<>(List.of(e.output(), Long.toString(e.points()), Long.toString(e.effectual())));
            for (String k : OpCounts.CATEGORIES) {
                row.add(e.ops().get(k) == 0 ? "" : Long.toString(e.ops().get(k)));
            }
            rows.add(row);
        }
        List<String> total = new ArrayList<>(List.of("total", "", ""));
        OpCounts.CATEGORIES.forEach(k -> total.add(Long.toString(a.ops().get(k))));
        rows.add(total);
        List<String> header = new ArrayList<>(List.of("einsum", "points", "effectual"));
        header.addAll(OpCounts.CATEGORIES);
        Output.table(out, header, rows);
        List<String> effectualTotal = new ArrayList<>();
        OpCounts.CATEGORIES.forEach(k -> effectualTotal.add(k + " " + a.effectualOps().get(k)));
        out.println("  effectual operations: " + String.join(", ", effectualTotal));
        return 0;
    }
}
