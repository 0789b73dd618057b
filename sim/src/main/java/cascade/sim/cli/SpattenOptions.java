package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.spec.ModelShape;
import cascade.sim.spatten.SpattenDesignRun;
import cascade.sim.spatten.SpattenPolicy;
import cascade.sim.spatten.SpattenRun;
import cascade.traces.SpattenTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code ./cascade sim --design spatten …}: SpAtten's pipeline on a synthetic workload or a released trace. */
final class SpattenOptions {
    @Option(names = "--keep", paramLabel = "RATIO", description = "spatten: tokens each layer keeps of those left (default 1)")
    Double keep;

    @Option(names = "--value-keep", paramLabel = "RATIO", description = "spatten: values each head fetches of its keys (default 1)")
    Double valueKeep;

    @Option(names = "--head-keep", paramLabel = "RATIO", description = "spatten: heads each layer keeps of those left (default 1)")
    Double headKeep;

    @Option(names = "--layers", description = "spatten: layers of the synthetic workload (default 12)")
    Integer layers;

    @Option(names = "--key-bits", description = "spatten: key bits fetched first, 0 for full width (default 6)")
    Integer keyBits;

    @Option(names = "--extra-bits", description = "spatten: key low bits fetched on a recompute (default 4)")
    Integer extraBits;

    @Option(names = "--value-bits", description = "spatten: value bits, 0 for full width (default 6)")
    Integer valueBits;

    @Option(names = "--threshold", description = "spatten: recompute when a head's max probability is below it (default 0.05)")
    Double threshold;

    @Option(names = "--spatten-trace", paramLabel = "FILE", description = "a workload summary released with SpAtten: on --design spatten, or on a design file of one's own "
        + "(the general simulator)")
    Path release;

    @Option(names = "--scores", paramLabel = "FILE.scores",
        description = "spatten: a score trace (./cascade trace generate) to take the decisions from, instead of a synthetic "
            + "workload (--trace FILE.scores says the same)")
    Path scores;

    /** Which simulator plays SpAtten: its dedicated pipeline, or the simulator every design runs on. */
    enum Which { spatten, general }

    @Option(names = "--simulator", paramLabel = "spatten|general",
        description = "spatten: its dedicated pipeline (the default while the two differ in cycles: README) or general, the "
            + "spatten design preset on the simulator every design runs on: a --spatten-trace, a decoding workload decided as "
            + "the pipeline decides it (--workload gpt2 --seq N --keep …), or with --bind J=…,T=… the design as bound")
    Which simulator;

    /** Whether any option that decides a SpAtten workload (pruning, widths, a score trace to decide from) is given. */
    private boolean decides() {
        return keep != null || valueKeep != null || headKeep != null || layers != null || keyBits != null || extraBits != null
            || valueBits != null || threshold != null || scores != null;
    }

    /** Whether the general simulator plays the spatten design (--simulator general). */
    boolean general() {
        return simulator == Which.general;
    }

    /** With --bind the general simulator runs the design on a workload as any design: the pipeline's options do not apply. */
    void refuseForGeneral() {
        if (decides()) {
            throw new InvalidInputException(new SourcePos("--bind", 1, 1), "with --bind the design runs on the workload as it "
                + "is bound; --keep, --value-keep, --head-keep, --layers, --key-bits, --extra-bits, --value-bits, --threshold "
                + "and --scores decide a SpAtten workload instead (drop --bind)");
        }
    }

    /** A released trace on the general simulator: the spatten design, each shape of head lowered and simulated. */
    Integer runGeneral(CommandSpec spec, DesignWorkload dw, Output.Format format) throws IOException {
        if (decides()) {
            throw new InvalidInputException(new SourcePos("--spatten-trace", 1, 1), "a released trace fixes the pruning and the "
                + "widths; drop --keep, --value-keep, --head-keep, --layers, --key-bits, --extra-bits, --value-bits, --threshold, "
                + "--scores");
        }
        return releaseOnDesign(spec, dw, format, release, cascade.sim.engine.Simulator.Model.DEFAULT, "general");
    }

    /**
     * A released trace on a design ({@code --design spatten}, or a file whose cascade binds what a row does),
     * each shape of head lowered and costed by {@code model} ({@code how}: general for the simulator,
     * closed-form for the estimate).
     */
    static Integer releaseOnDesign(CommandSpec spec, DesignWorkload dw, Output.Format format, Path release,
                                   cascade.mappings.model.CostModel model, String how) throws IOException {
        if (dw.workload != null || dw.seq != null || dw.cascade != null || dw.bind != null || dw.queries != null) {
            throw new InvalidInputException(new SourcePos("--spatten-trace", 1, 1),
                "a released trace fixes the workload and the cascade; drop --workload, --seq, --queries, --cascade, --bind");
        }
        Inputs.existingFile(release, "--spatten-trace");
        SpattenTrace t = SpattenTrace.read(release);
        cascade.mappings.spec.Design design = dw.design();
        SpattenDesignRun.Result r = onDesign(() -> SpattenDesignRun.release(design, t, model));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("design", design.name());
        json.put("model", how);
        json.put("trace", release.toString());
        json.put("rows", t.rows().size());
        json.putAll(designJson(r));
        json.put("config", t.config());
        return printDesign(spec.commandLine().getOut(), format, json, design.name() + ", " + (how.equals("general")
            ? "simulated" : "estimated") + ", released trace " + release.getFileName() + " (" + t.rows().size() + " heads)", r);
    }

    /** A run on the design, its refusals (a design without SpAtten's ranks, a head no schedule holds) located. */
    private static SpattenDesignRun.Result onDesign(java.util.function.Supplier<SpattenDesignRun.Result> run) {
        try {
            return run.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(new SourcePos("--design", 1, 1), e.getMessage());
        }
    }

    /** A run on the design as JSON fields: the pruned run's report, K and V bytes, the dense baseline, the ratios. */
    private static Map<String, Object> designJson(SpattenDesignRun.Result r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("shapes", r.shapes());
        json.putAll(Reports.of(r.pruned()));
        long kv = SpattenDesignRun.Result.keyValueBytes(r.pruned());
        long denseKv = SpattenDesignRun.Result.keyValueBytes(r.dense());
        json.put("keyValueBytes", kv);
        Map<String, Object> dense = new LinkedHashMap<>();
        dense.put("cycles", r.dense().cycles());
        dense.put("dramBytes", r.dense().dramBytes());
        dense.put("keyValueBytes", denseKv);
        dense.put("energyPj", r.dense().energyPj());
        dense.put("shapes", r.denseShapes());
        json.put("dense", dense);
        json.put("dramReduction", (double) denseKv / Math.max(1, kv));
        json.put("speedup", (double) r.dense().cycles() / Math.max(1, r.pruned().cycles()));
        json.put("energyReduction", r.dense().energyPj() / Math.max(1e-9, r.pruned().energyPj()));
        return json;
    }

    private static Integer printDesign(PrintWriter out, Output.Format format, Map<String, Object> json, String what,
                                       SpattenDesignRun.Result r) {
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        long kv = SpattenDesignRun.Result.keyValueBytes(r.pruned());
        out.printf(Locale.ROOT, "%s, %d shapes of head: %d cycles (%.3g s), %.3g J, DRAM %.4g MB (K and V %.4g MB)%n", what,
            r.shapes(), r.pruned().cycles(), r.pruned().seconds(), r.pruned().energyPj() * 1e-12, r.pruned().dramBytes() / 1e6,
            kv / 1e6);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("pruned", Long.toString(r.pruned().cycles()), Long.toString(kv),
            String.format(Locale.ROOT, "%.4g", r.pruned().energyPj())));
        rows.add(List.of("dense", Long.toString(r.dense().cycles()),
            Long.toString(SpattenDesignRun.Result.keyValueBytes(r.dense())), String.format(Locale.ROOT, "%.4g",
                r.dense().energyPj())));
        Output.table(out, List.of("run", "cycles", "K and V DRAM bytes", "energy pJ"), rows);
        out.printf(Locale.ROOT, "DRAM reduction (K and V) %.2fx, speedup %.2fx%n", (double) json.get("dramReduction"),
            (double) json.get("speedup"));
        return 0;
    }

    void refuseFor(String design) {
        if (simulator != null) {
            throw new InvalidInputException(new SourcePos("--simulator", 1, 1), "--simulator chooses how --design spatten runs; "
                + design + " runs on the general simulator");
        }
        if (decides() || release != null) {
            throw new InvalidInputException(new SourcePos("--design", 1, 1), "the SpAtten options apply to --design spatten, not "
                + design);
        }
    }

    Integer run(CommandSpec spec, DesignWorkload dw, Output.Format format, long seed, boolean fullOnly) throws IOException {
        if (fullOnly) {
            throw new InvalidInputException(new SourcePos("--values", 1, 1), "--values applies to the Einsum designs");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("design", "spatten");
        Map<String, Object> r;
        String what;
        if (release != null) {
            if (keep != null || valueKeep != null || headKeep != null || layers != null || dw.workload != null || dw.seq != null) {
                throw new InvalidInputException(new SourcePos("--spatten-trace", 1, 1),
                    "a released trace fixes the workload and the pruning; drop --workload, --seq, --keep, --value-keep, --layers");
            }
            Inputs.existingFile(release, "--spatten-trace");
            SpattenTrace t = SpattenTrace.read(release);
            json.put("trace", release.toString());
            r = SpattenRun.release(SpattenRun.architecture(), t, seed);
            what = "released trace " + release.getFileName() + " (" + t.rows().size() + " heads)";
        } else {
            ModelShape w = dw.workload();
            if (!SpattenRun.supports(w)) {
                throw new InvalidInputException(new SourcePos("--workload", 1, 1), "the spatten design runs gpt2 (decoding) or "
                    + "bert (an encoder), not " + w.name());
            }
            if (dw.seq > SpattenRun.MAX_SEQ) {
                throw new InvalidInputException(new SourcePos("--seq", 1, 1), "the synthetic SpAtten workload goes up to "
                    + SpattenRun.MAX_SEQ + " tokens");
            }
            double k = keep == null ? 1.0 : keep;
            double vk = valueKeep == null ? 1.0 : valueKeep;
            double hk = headKeep == null ? 1.0 : headKeep;
            for (var o : Map.of("--keep", k, "--value-keep", vk, "--head-keep", hk).entrySet()) {
                if (!(o.getValue() > 0 && o.getValue() <= 1)) {
                    throw new InvalidInputException(new SourcePos(o.getKey(), 1, 1), "must be in (0, 1]");
                }
            }
            int l = layers == null ? 12 : layers;
            if (l < 1 || l > 96) {
                throw new InvalidInputException(new SourcePos("--layers", 1, 1), "must be between 1 and 96");
            }
            SpattenPolicy policy = new SpattenPolicy(k, 1, vk, keyBits == null ? 6 : keyBits, extraBits == null ? 4 : extraBits,
                threshold == null ? 0.05 : threshold, valueBits == null ? 6 : valueBits, hk);
            int seq = (int) (long) dw.seq;
            int queries = SpattenRun.queries(w, seq);
            SpattenPolicy.Source source;
            if (scores != null) {
                if (layers != null) {
                    throw new InvalidInputException(new SourcePos("--layers", 1, 1), "a score trace fixes the layers");
                }
                source = new cascade.sim.spatten.ScoreTraceSource(scores, 0, w.headDim(), seed);
                if (source.length() != seq || source.heads() != w.heads()) {
                    throw new InvalidInputException(new SourcePos("--scores", 1, 1), "the trace has " + source.heads() + " heads of "
                        + source.length() + " tokens; --workload " + w.name() + " --seq " + seq + " needs " + w.heads()
                        + " of " + seq);
                }
                l = source.layers();
                json.put("scores", scores.toString());
            } else {
                source = SpattenPolicy.of(cascade.traces.SyntheticAttention.defaults(l, w.heads(), w.headDim(), seq, seed));
            }
            json.put("workload", w.name());
            json.put("seq", seq);
            json.put("layers", l);
            json.put("keep", k);
            json.put("valueKeep", vk);
            json.put("headKeep", hk);
            what = w.name() + " (" + (queries == 1 ? "decoding" : "encoder") + "), " + seq + " tokens, " + l + " layers, keep "
                + k + ", value keep " + vk;
            if (general() && queries > 1) {
                throw new InvalidInputException(new SourcePos("--workload", 1, 1), "the spatten design decodes: it gathers the "
                    + "values each query keeps from DRAM, which for an encoder's " + queries + " queries is not what SpAtten "
                    + "does; run " + w.name() + " on the dedicated pipeline (--simulator spatten)");
            }
            if (general()) {
                SpattenPolicy.Outcome o = policy.decide(source, queries, SpattenRun.architecture().compute("TOPK").topk());
                cascade.mappings.spec.Design design = dw.design();
                SpattenDesignRun.Result g = onDesign(() -> SpattenDesignRun.decided(design, o,
                    cascade.sim.engine.Simulator.Model.DEFAULT));
                json.put("design", design.name());
                json.put("model", "general");
                json.putAll(designJson(g));
                json.put("recomputedHeads", o.recomputedHeads());
                json.put("prunedHeads", o.prunedHeads());
                json.put("outputRelativeError", o.meanRelativeError());
                json.put("outputRelativeErrorMax", o.maxRelativeError());
                json.put("top1Agreement", o.top1Agreement());
                return printDesign(spec.commandLine().getOut(), format, json, design.name() + ", simulated, " + what, g);
            }
            r = SpattenRun.decided(SpattenRun.architecture(), source, queries, policy, seed);
        }
        json.putAll(r);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dense = (Map<String, Object>) r.get("dense");
        @SuppressWarnings("unchecked")
        Map<String, Long> kinds = (Map<String, Long>) r.get("dramBytesByKind");
        out.printf(Locale.ROOT, "spatten on %s: %d cycles (%.3g s), %.3g J, DRAM %.4g MB (key high bits %.4g, low bits %.4g, "
                + "values %.4g), top-k %d cycles%n", what, (long) r.get("cycles"), (double) r.get("seconds"),
            (double) r.get("energyPj") * 1e-12, (long) r.get("dramBytes") / 1e6, kinds.get("keyHighBits") / 1e6,
            kinds.get("keyLowBits") / 1e6, kinds.get("values") / 1e6, (long) r.get("topkCycles"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("pruned", Long.toString((long) r.get("cycles")), Long.toString((long) r.get("dramBytes")),
            String.format(Locale.ROOT, "%.4g", (double) r.get("energyPj"))));
        rows.add(List.of("dense", Long.toString((long) dense.get("cycles")), Long.toString((long) dense.get("dramBytes")),
            String.format(Locale.ROOT, "%.4g", (double) dense.get("energyPj"))));
        Output.table(out, List.of("run", "cycles", "DRAM bytes", "energy pJ"), rows);
        out.printf(Locale.ROOT, "DRAM reduction %.2fx, speedup %.2fx%s%n", (double) r.get("dramReduction"), (double) r.get("speedup"),
            r.containsKey("outputRelativeError") ? String.format(Locale.ROOT, ", output relative error %.3g (max %.3g), top-1 "
                + "agreement %.3f", (double) r.get("outputRelativeError"), (double) r.get("outputRelativeErrorMax"),
                (double) r.get("top1Agreement")) : "");
        return 0;
    }
}
