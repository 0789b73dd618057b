package cascade.mappings.sweep;

import cascade.mappings.model.Estimate;
import cascade.mappings.search.Mapper;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.keys;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.InvalidInputException;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.hw.YamlNodes.Located;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A design-space sweep: one Einsum of a cascade, mapped by the mapper onto an architecture whose
 * figures vary over a grid. Each point is the architecture with one value per grid key; points
 * are numbered in grid order (the last key varies fastest).
 * <pre>
 * sweep: qk-array
 * cascade: attention-1pass          # library name or file
 * einsum: QK
 * bind: {P: 4096, M: 4096, E: 64, F: 64}
 * architecture: fusemax             # preset or file
 * unit: PE2D
 * objective: cycles                 # cycles | energy | edp
 * search: {starts: 20, steps: 300, seed: 1}
 * grid:
 *   PE2D.rows: [64, 128, 256]
 *   GlobalBuffer.capacity: [4 MiB, 16 MiB]
 * </pre>
 */
public record Sweep(String name, String file, Cascade cascade, Map<String, Long> sizes, String einsum,
                    String architectureFile, String architectureText, String unit, Mapper.Objective objective,
                    long starts, long steps, long seed, Grid grid) implements SweepPlan {

    public static Sweep load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8), path.toAbsolutePath().getParent());
    }

    @Override
    public List<String> columns() {
        List<String> c = new ArrayList<>(grid.keys());
        c.addAll(List.of("cycles", "energyPj", "utilization", "dramWords", "mappingsEvaluated"));
        return c;
    }

    @Override
    public List<String> evaluate(long id) {
        Architecture arch = architecture(id);
        Mapper mapper = new Mapper(cascade, sizes, arch, einsum, unit, objective);
        Mapper.Result r = mapper.search(new Mapper.LocalSearch(starts, steps, seed), 1, 1);
        List<String> row = new ArrayList<>();
        point(id).values().forEach(v -> row.add(scalar(v)));
        if (r.best().isEmpty()) {
            row.addAll(List.of("", "", "", "", Long.toString(r.evaluated())));
            return row;
        }
        Estimate.EinsumEstimate e = r.best().getFirst().estimate();
        String outermost = arch.pathTo(arch.compute(unit).under()).getFirst();
        row.addAll(List.of(Long.toString(e.cycles()), Double.toString(e.totalEnergyPj()), Double.toString(e.utilization()),
            Long.toString(e.wordsAt(outermost)), Long.toString(r.evaluated())));
        return row;
    }

    public static Sweep parse(String file, String text, Path baseDir) {
        Located root = compose(file, text, "a sweep");
        Map<String, Located> m = mapping(root, List.of("sweep", "cascade", "einsum", "bind", "architecture", "unit",
            "objective", "search", "grid"), "a sweep");
        String name = scalar(require(m, "sweep", root));
        Located cascadeNode = require(m, "cascade", root);
        String cascadeWord = scalar(cascadeNode);
        Cascade cascade;
        Path cascadeFile = baseDir == null ? Path.of(cascadeWord) : baseDir.resolve(cascadeWord);
        if (Files.isRegularFile(cascadeFile)) {
            try {
                cascade = Cascade.load(cascadeFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (CascadeLibrary.contains(cascadeWord)) {
            cascade = CascadeLibrary.load(cascadeWord);
        } else {
            throw new InvalidInputException(cascadeNode.pos(), "no file or library cascade named '" + cascadeWord + "'");
        }
        Map<String, Long> bind = new LinkedHashMap<>();
        if (m.containsKey("bind")) {
            for (var b : mapping(m.get("bind"), null, "sizes").entrySet()) {
                if (!cascade.ranks().containsKey(b.getKey())) {
                    throw new InvalidInputException(keys(m.get("bind")).get(b.getKey()).pos(), b.getKey()
                        + " is not a rank or parameter of " + cascade.name());
                }
                bind.put(b.getKey(), positiveWhole(b.getValue(), "the size of " + b.getKey()));
            }
        }
        Map<String, Long> sizes = cascade.sizes(bind);
        Located einsumNode = require(m, "einsum", root);
        String einsum = scalar(einsumNode);
        if (cascade.producer(einsum) == null || cascade.tensor(einsum).isInput()) {
            throw new InvalidInputException(einsumNode.pos(), "no Einsum computes '" + einsum + "' in " + cascade.name());
        }
        Located archNode = require(m, "architecture", root);
        String archWord = scalar(archNode);
        String archFile;
        String archText;
        Path archPath = baseDir == null ? Path.of(archWord) : baseDir.resolve(archWord);
        if (Files.isRegularFile(archPath)) {
            archFile = archPath.toString();
            try {
                archText = Files.readString(archPath, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (ArchitectureLoader.presetNames().contains(archWord)) {
            archFile = "architectures/" + archWord + ".yaml";
            archText = "extends: " + archWord + "\narchitecture: " + archWord + "\n";
        } else {
            throw new InvalidInputException(archNode.pos(), "no file or architecture preset named '" + archWord + "'");
        }
        Located unitNode = require(m, "unit", root);
        String unit = scalar(unitNode);
        Mapper.Objective objective = Mapper.Objective.CYCLES;
        if (m.containsKey("objective")) {
            String o = scalar(m.get("objective"));
            try {
                objective = Mapper.Objective.valueOf(o.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(m.get("objective").pos(), "unknown objective '" + o
                    + "'; expected cycles, energy or edp");
            }
        }
        long starts = 20;
        long steps = 300;
        long seed = 1;
        if (m.containsKey("search")) {
            Map<String, Located> s = mapping(m.get("search"), List.of("starts", "steps", "seed"), "the search");
            starts = s.containsKey("starts") ? positiveWhole(s.get("starts"), "starts") : starts;
            steps = s.containsKey("steps") ? positiveWhole(s.get("steps"), "steps") : steps;
            seed = s.containsKey("seed") ? positiveWhole(s.get("seed"), "seed") : seed;
        }
        Grid grid = Grid.parse(require(m, "grid", root));
        Sweep sweep = new Sweep(name, file, cascade, sizes, einsum, archFile, archText, unit, objective, starts, steps,
            seed, grid);
        // Fail on bad keys, values or units now, not at some point deep into a long run.
        for (var g : grid.values().entrySet()) {
            for (Located v : g.getValue()) {
                ArchitectureLoader.parse(archFile, archText, Map.of(g.getKey(), v));
            }
        }
        if (sweep.architecture(0).compute(unit) == null) {
            throw new InvalidInputException(unitNode.pos(), "unknown compute unit '" + unit + "'");
        }
        return sweep;
    }

    public long points() {
        return grid.points();
    }

    /** The grid values of point {@code id}, by key. */
    public Map<String, Located> point(long id) {
        return grid.point(id);
    }

    public cascade.hw.Architecture architecture(long id) {
        return ArchitectureLoader.parse(architectureFile, architectureText, point(id));
    }
}
