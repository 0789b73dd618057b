package cascade.sim.spatten;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.TopKEngine;
import cascade.hw.YamlNodes.Located;
import cascade.mappings.sweep.SweepPlan;
import cascade.mappings.spec.ModelShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SpAtten sweep: keep ratio × top-k engine on one synthetic workload, each point simulated with
 * its dense baseline and the executor's output error. Told from the other sweeps by its
 * {@code spatten:} key.
 * <pre>
 * spatten: keep-by-engine
 * workload: gpt2            # gpt2 (decoding) or bert (encoder)
 * seq: 1024
 * layers: 12
 * valueKeep: 0.5
 * seed: 1
 * keep: [1.0, 0.8, 0.6]
 * topk:
 *   - {engine: quickselect, parallelism: 16}
 *   - {engine: bitonic, parallelism: 32}
 * </pre>
 */
public record SpattenSweep(String name, ModelShape workload, int seq, int layers, double valueKeep, long seed,
                           List<Double> keeps, List<TopKEngine> engines) implements SweepPlan {

    public static SpattenSweep parse(String file, String text) {
        Located root = compose(file, text, "a sweep");
        Map<String, Located> m = mapping(root, List.of("spatten", "workload", "seq", "layers", "valueKeep", "seed", "keep",
            "topk"), "a SpAtten sweep");
        Located wl = require(m, "workload", root);
        ModelShape w;
        try {
            w = ModelShape.of(scalar(wl));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(wl.pos(), e.getMessage());
        }
        if (!SpattenRun.supports(w)) {
            throw new InvalidInputException(wl.pos(), "a SpAtten sweep runs gpt2 or bert, not " + w.name());
        }
        long seq = positiveWhole(require(m, "seq", root), "the sequence length");
        if (seq > SpattenRun.MAX_SEQ) {
            throw new InvalidInputException(m.get("seq").pos(), "the synthetic SpAtten workload goes up to " + SpattenRun.MAX_SEQ
                + " tokens");
        }
        int layers = m.containsKey("layers") ? (int) positiveWhole(m.get("layers"), "layers") : 12;
        double valueKeep = m.containsKey("valueKeep") ? ratio(m.get("valueKeep")) : 1.0;
        long seed = m.containsKey("seed") ? positiveWhole(m.get("seed"), "the seed") : 1;
        List<Double> keeps = new ArrayList<>();
        for (Located k : sequence(require(m, "keep", root), "keep ratios")) {
            keeps.add(ratio(k));
        }
        List<TopKEngine> engines = new ArrayList<>();
        for (Located t : sequence(require(m, "topk", root), "top-k engines")) {
            Map<String, Located> e = mapping(t, List.of("engine", "parallelism"), "a top-k engine");
            int p = (int) positiveWhole(require(e, "parallelism", t), "the parallelism");
            String kind = scalar(require(e, "engine", t));
            engines.add(switch (kind) {
                case "quickselect" -> new TopKEngine.QuickSelect(p, 3, TopKEngine.Pivot.RANDOM, seed);
                case "bitonic" -> {
                    if (p < 2 || Integer.bitCount(p) != 1) {
                        throw new InvalidInputException(e.get("parallelism").pos(), "a bitonic engine's width is a power of two");
                    }
                    yield new TopKEngine.Bitonic(p);
                }
                default -> throw new InvalidInputException(e.get("engine").pos(), "unknown top-k engine '" + kind
                    + "'; expected quickselect or bitonic");
            });
        }
        if (keeps.isEmpty() || engines.isEmpty()) {
            throw new InvalidInputException(root.pos(), "a SpAtten sweep needs keep ratios and top-k engines");
        }
        return new SpattenSweep(scalar(require(m, "spatten", root)), w, (int) seq, layers, valueKeep, seed, List.copyOf(keeps),
            List.copyOf(engines));
    }

    private static double ratio(Located node) {
        try {
            double v = Double.parseDouble(scalar(node));
            if (v > 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new InvalidInputException(node.pos(), "a ratio in (0, 1], found '" + scalar(node) + "'");
    }

    @Override
    public List<String> columns() {
        return List.of("keep", "engine", "parallelism", "cycles", "energyPj", "dramBytes", "dramReduction", "topkCycles",
            "outputRelativeError", "top1Agreement");
    }

    /** Faster, cheaper and closer to the dense output: all three count. */
    @Override
    public List<String> objectives() {
        return List.of("cycles", "energyPj", "outputRelativeError");
    }

    @Override
    public long points() {
        return (long) keeps.size() * engines.size();
    }

    /** The SpAtten preset with its top-k engine replaced. */
    static Architecture withEngine(Architecture a, TopKEngine engine) {
        List<ComputeArray> units = new ArrayList<>();
        for (ComputeArray u : a.compute()) {
            if (u.kind() == ComputeArray.Kind.TOPK) {
                int width = engine instanceof TopKEngine.QuickSelect q ? q.parallelism() : ((TopKEngine.Bitonic) engine).width();
                u = new ComputeArray(u.name(), u.kind(), u.under(), 1, width, u.ops(), u.energyPj(), u.latencyCycles(),
                    u.issueCycles(), u.areaUm2(), u.figures(), engine);
            }
            units.add(u);
        }
        return new Architecture(a.name(), a.description(), a.file(), a.clockHz(), a.technologyNm(), a.wordBits(), a.storage(),
            List.copyOf(units), a.figures());
    }

    @Override
    public List<String> evaluate(long id) {
        double keep = keeps.get((int) (id / engines.size()));
        TopKEngine engine = engines.get((int) (id % engines.size()));
        Architecture arch = withEngine(SpattenRun.architecture(), engine);
        Map<String, Object> r = SpattenRun.synthetic(arch, workload, seq, layers,
            new SpattenPolicy(keep, 1, valueKeep, 6, 4, 0.05, 6), seed);
        String kind = engine instanceof TopKEngine.QuickSelect ? "quickselect" : "bitonic";
        int p = arch.compute("TOPK").cols();
        return List.of(Double.toString(keep), kind, Integer.toString(p), r.get("cycles").toString(), r.get("energyPj").toString(),
            r.get("dramBytes").toString(), r.get("dramReduction").toString(), r.get("topkCycles").toString(),
            r.get("outputRelativeError").toString(), r.get("top1Agreement").toString());
    }
}
