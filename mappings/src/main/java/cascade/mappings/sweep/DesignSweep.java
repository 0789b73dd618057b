package cascade.mappings.sweep;

import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.Report;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.ModelShape;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.hw.ComputeArray;
import cascade.hw.YamlNodes.Located;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sweep of whole designs: every design × workload × sequence length × point of an optional
 * grid of architecture figures (applied to each design's architecture), estimated by the
 * analytical model. Points are numbered in that order, the grid's last key fastest.
 * <pre>
 * sweep: designs-by-length
 * designs: [fusemax, flat, unfused]     # presets, or design files relative to the sweep
 * workloads: [bert, gpt2, llama-2-70b]
 * seq: [1024, 16384, 1048576]
 * batch: 64
 * search: {starts: 12, steps: 400}      # the mapper's effort per Einsum
 * grid:
 *   DRAM.bandwidth: [200 GiB/s, 400 GiB/s]
 * </pre>
 */
public record DesignSweep(String name, List<Design> designs, List<ModelShape> workloads, List<Long> lengths, long batch,
                          long starts, long steps, Grid grid) implements SweepPlan {

    public static DesignSweep parse(String file, String text, Path baseDir) {
        Located root = compose(file, text, "a sweep");
        Map<String, Located> m = mapping(root, List.of("sweep", "designs", "workloads", "seq", "batch", "search", "grid"),
            "a design sweep");
        String name = scalar(require(m, "sweep", root));
        List<Design> designs = new ArrayList<>();
        for (Located d : sequence(require(m, "designs", root), "designs")) {
            designs.add(design(scalar(d), d, baseDir));
        }
        List<ModelShape> workloads = new ArrayList<>();
        for (Located w : sequence(require(m, "workloads", root), "workloads")) {
            try {
                workloads.add(ModelShape.of(scalar(w)));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(w.pos(), e.getMessage());
            }
        }
        List<Long> lengths = new ArrayList<>();
        for (Located n : sequence(require(m, "seq", root), "sequence lengths")) {
            lengths.add(positiveWhole(n, "a sequence length"));
        }
        long batch = m.containsKey("batch") ? positiveWhole(m.get("batch"), "the batch") : 64;
        long starts = 12;
        long steps = 400;
        if (m.containsKey("search")) {
            Map<String, Located> s = mapping(m.get("search"), List.of("starts", "steps"), "the search");
            starts = s.containsKey("starts") ? positiveWhole(s.get("starts"), "starts") : starts;
            steps = s.containsKey("steps") ? positiveWhole(s.get("steps"), "steps") : steps;
        }
        Grid grid = m.containsKey("grid") ? Grid.parse(m.get("grid")) : Grid.none();
        for (List<?> list : List.of(designs, workloads, lengths)) {
            if (list.isEmpty()) {
                throw new InvalidInputException(root.pos(), "a design sweep needs at least one design, workload and length");
            }
        }
        DesignSweep sweep = new DesignSweep(name, List.copyOf(designs), List.copyOf(workloads), List.copyOf(lengths), batch,
            starts, steps, grid);
        // Bad grid keys, values or units fail now, against every design's architecture.
        for (Design d : designs) {
            for (var g : grid.values().entrySet()) {
                for (Located v : g.getValue()) {
                    architecture(d, Map.of(g.getKey(), v));
                }
            }
        }
        return sweep;
    }

    private static Design design(String word, Located at, Path baseDir) {
        Path file = baseDir == null ? Path.of(word) : baseDir.resolve(word);
        if (Files.isRegularFile(file)) {
            try {
                return Design.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (Design.presetNames().contains(word)) {
            return Design.preset(word);
        }
        throw new InvalidInputException(at.pos(), "no design file or preset named '" + word + "'; presets: "
            + String.join(", ", Design.presetNames()));
    }

    private static Architecture architecture(Design d, Map<String, Located> overrides) {
        String a = d.architecture().name();
        return ArchitectureLoader.parse("architectures/" + a + ".yaml", "extends: " + a + "\narchitecture: " + a + "\n",
            overrides);
    }

    @Override
    public List<String> columns() {
        List<String> c = new ArrayList<>(List.of("design", "workload", "seq"));
        c.addAll(grid.keys());
        c.addAll(List.of("cycles", "seconds", "energyPj", "dramBytes", "util2d", "util1d", "areaMm2"));
        return c;
    }

    /** Designs compete on the same workload at the same length. */
    @Override
    public List<String> paretoWithin() {
        return List.of("workload", "seq");
    }

    @Override
    public long points() {
        return Math.multiplyExact((long) designs.size() * workloads.size() * lengths.size(), grid.points());
    }

    private Lowering lowering() {
        return LOWERINGS.computeIfAbsent(starts + "/" + steps, k -> Lowering.withMapper(starts, steps));
    }

    private static final Map<String, Lowering> LOWERINGS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public List<String> evaluate(long id) {
        long g = id % grid.points();
        long rest = id / grid.points();
        long n = lengths.get((int) (rest % lengths.size()));
        rest /= lengths.size();
        ModelShape w = workloads.get((int) (rest % workloads.size()));
        Design d = designs.get((int) (rest / workloads.size()));
        Map<String, Located> values = grid.point(g);
        Design point = values.isEmpty() ? d
            : d.onHardware(architecture(d, values));
        List<String> row = new ArrayList<>(List.of(d.name(), w.name(), Long.toString(n)));
        values.values().forEach(v -> row.add(scalar(v)));
        Report e = ClosedForm.INSTANCE.cost(lowering().lower(point, w.bindings(n), batch * w.heads()));
        row.addAll(List.of(Long.toString(e.cycles()), Double.toString(e.seconds()), Double.toString(e.energyPj()),
            Long.toString(e.dramBytes()), Double.toString(e.utilization(ComputeArray.Kind.ARRAY_2D)),
            Double.toString(e.utilization(ComputeArray.Kind.ARRAY_1D)), Double.toString(point.architecture().areaUm2() / 1e6)));
        return row;
    }
}
