package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.spec.Assumption;
import cascade.mappings.spec.Design;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.model.Report;
import cascade.mappings.spec.ModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that name a design on a workload and the report's format, shared by estimate, sim and compare. */
final class DesignWorkload {
    @Option(names = "--design", required = true, paramLabel = "NAME|FILE", description = "a design preset or YAML file")
    String design;

    @Option(names = "--workload", paramLabel = "MODEL",
        description = "a model of the catalog: bert, trxl, t5, xlm, bert-large, gpt2, llama-2-7b, llama-2-70b, … (./cascade list)")
    String workload;

    @Option(names = "--seq", description = "sequence length (P = M)")
    Long seq;

    @Option(names = "--batch", defaultValue = "64", description = "batch (default ${DEFAULT-VALUE})")
    long batch;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Option(names = "--cascade", paramLabel = "NAME|FILE",
        description = "run this cascade on the design's architecture and policies instead of the design's own; an Einsum "
            + "the design does not bind goes to the largest 2D array (a contraction) or the widest vector unit")
    String cascade;

    @Option(names = "--bind", paramLabel = "NAME=VALUE,…", description = "the cascade's parameters (S, W, J, …) or ranks")
    String bind;

    @Option(names = "--queries", paramLabel = "N",
        description = "queries per sequence (P); default the sequence length (prefill). Decoding one token: --queries 1")
    Long queries;

    @Option(names = "--without", paramLabel = "ASSUMPTION,…", split = ",",
        description = "turn off modelling assumptions the design makes: unlimitedOnChipBandwidth, trafficBoundMemory, "
            + "pipelinedExp, foldedScale, maintainedSummaries")
    List<String> without = List.of();

    /** The units of the design as named, before --cascade rebinds it: what bindingInto compares with. */
    private Map<String, String> namedUnits = Map.of();

    Design design() throws IOException {
        Design named = named();
        namedUnits = named.units();
        Design d = Inputs.option("--without", () -> withoutAssumptions(named, without));
        Cascade own = cascade == null ? d.cascade() : Inputs.cascade(cascade, new SourcePos("--cascade", 1, 1));
        Cascade other = own.withParameters(Inputs.reals(bind, own));
        if (cascade == null && other == own) {
            return d;
        }
        return Inputs.option("--cascade", () -> d.withCascade(other));
    }

    /** {@code d} less the assumptions named, each checked by name. */
    static Design withoutAssumptions(Design d, List<String> names) {
        List<Assumption> off = new java.util.ArrayList<>();
        for (String n : names) {
            off.add(Inputs.option("--without", () -> Assumption.named(n.strip())));
        }
        return d.without(off);
    }

    private Design named() throws IOException {
        if (Files.isRegularFile(Path.of(design))) {
            return Design.parse(design, Files.readString(Path.of(design)));
        }
        if (Design.presetNames().contains(design)) {
            return Design.preset(design);
        }
        throw new InvalidInputException(new SourcePos("--design", 1, 1), "no design preset or file '" + design
            + "'; presets: " + String.join(", ", Design.presetNames()));
    }

    ModelShape workload() {
        if (workload == null || seq == null) {
            throw new InvalidInputException(new SourcePos(workload == null ? "--workload" : "--seq", 1, 1),
                "is required with --design " + design);
        }
        if (seq <= 0 || batch <= 0) {
            throw new InvalidInputException(new SourcePos(seq <= 0 ? "--seq" : "--batch", 1, 1), "must be positive");
        }
        return Inputs.option("--workload", () -> ModelShape.of(workload));
    }

    /** The design lowered onto the workload (the standard mapper budget). */
    Schedule schedule() throws IOException {
        Design d = design();
        return Lowering.standard().lower(d, bindings(d.cascade()), heads());
    }

    /** The workload's sizes, the queries and the parameters bound. */
    Map<String, Long> bindings(Cascade c) {
        Map<String, Long> b = new java.util.LinkedHashMap<>(workload().bindings(seq));
        if (queries != null) {
            if (queries <= 0) {
                throw new InvalidInputException(new SourcePos("--queries", 1, 1), "must be positive");
            }
            b.put("P", queries);
        }
        b.putAll(Inputs.bindings(bind, c));
        return b;
    }

    long heads() {
        return batch * workload().heads();
    }

    /** The fields every report on a design and workload starts with. */
    Map<String, Object> header(String designName) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("design", designName);
        m.put("workload", workload().name());
        m.put("seq", seq);
        if (queries != null) {
            m.put("queries", queries);
        }
        m.put("batch", batch);
        return m;
    }

    /** The report as JSON fields, after the header. */
    Map<String, Object> json(Report r) {
        Map<String, Object> m = header(r.design());
        m.putAll(Reports.of(r));
        return m;
    }

    /** With --cascade: the cascade run, the unit each Einsum ran on and those bound by the default rule. */
    void bindingInto(Map<String, Object> json, Design d) {
        if (cascade == null) {
            return;
        }
        json.put("cascade", d.cascade().name());
        json.put("units", d.units());
        json.put("boundByDefault", d.units().keySet().stream()
            .filter(e -> !d.units().get(e).equals(namedUnits.get(e))).toList());
    }

    String describe() {
        return String.format(Locale.ROOT, "%s attention%s, seq %d%s, batch %d", workload().name(),
            cascade == null ? "" : " (" + cascade + (bind == null ? "" : ", " + bind) + ")", seq,
            queries == null ? "" : ", " + queries + " queries", batch);
    }
}
