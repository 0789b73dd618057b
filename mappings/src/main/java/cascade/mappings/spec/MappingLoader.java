package cascade.mappings.spec;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.keys;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.hw.YamlNodes.Located;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads mapping specs:
 * <pre>
 * mapping: gemm-output-stationary
 * einsums:
 *   C:                               # the Einsum computing C
 *     unit: PE
 *     levels:                        # outermost first, in the architecture's order
 *       DRAM: {temporal: [m: 2]}
 *       Buf:
 *         temporal: [n: 2, k: 8]     # outer to inner
 *         spatial: {rows: [m: 4], cols: [n: 4]}
 *         keep: [A, B, C]
 * </pre>
 * Shape errors are reported here; meaning (ranks, sizes, capacities) by {@link MappingValidator}.
 */
public final class MappingLoader {
    private MappingLoader() {
    }

    public static Mapping load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    public static Mapping parse(String file, String text) {
        Located root = compose(file, text, "a mapping");
        Map<String, Located> top = mapping(root, List.of("mapping", "einsums"), "a mapping");
        String name = scalar(require(top, "mapping", root));
        Located einsumsNode = require(top, "einsums", root);
        Map<String, Located> einsums = mapping(einsumsNode, null, "the Einsums' mappings");
        Map<String, Located> einsumKeys = keys(einsumsNode);
        List<Mapping.EinsumMapping> out = new ArrayList<>();
        for (var e : einsums.entrySet()) {
            Located node = e.getValue();
            Map<String, Located> m = mapping(node, List.of("unit", "levels"), "the mapping of Einsum " + e.getKey());
            Located unit = require(m, "unit", node);
            Located levelsNode = require(m, "levels", node);
            Map<String, Located> levelKeys = keys(levelsNode);
            List<Mapping.LevelLoops> levels = new ArrayList<>();
            for (var l : mapping(levelsNode, null, "the levels of Einsum " + e.getKey()).entrySet()) {
                levels.add(level(l.getKey(), l.getValue(), levelKeys.get(l.getKey())));
            }
            out.add(new Mapping.EinsumMapping(e.getKey(), scalar(unit), List.copyOf(levels),
                einsumKeys.get(e.getKey()).pos(), unit.pos()));
        }
        return new Mapping(name, file, List.copyOf(out));
    }

    private static Mapping.LevelLoops level(String name, Located node, Located key) {
        Map<String, Located> m = mapping(node, List.of("temporal", "spatial", "keep"), "the loops at level " + name);
        List<Mapping.Loop> temporal = m.containsKey("temporal") ? loops(m.get("temporal")) : List.of();
        List<Mapping.Loop> rows = List.of();
        List<Mapping.Loop> cols = List.of();
        if (m.containsKey("spatial")) {
            Map<String, Located> s = mapping(m.get("spatial"), List.of("rows", "cols"), "the spatial loops at " + name);
            rows = s.containsKey("rows") ? loops(s.get("rows")) : List.of();
            cols = s.containsKey("cols") ? loops(s.get("cols")) : List.of();
        }
        Set<String> keep = null;
        if (m.containsKey("keep")) {
            keep = new LinkedHashSet<>();
            for (Located t : sequence(m.get("keep"), "tensors")) {
                keep.add(scalar(t));
            }
        }
        return new Mapping.LevelLoops(name, temporal, rows, cols, keep, key.pos());
    }

    /** {@code [m: 2, n: 4]}: loops outer to inner, each a one-entry mapping from a rank index to a factor. */
    private static List<Mapping.Loop> loops(Located node) {
        List<Mapping.Loop> loops = new ArrayList<>();
        for (Located item : sequence(node, "loops such as [m: 2, k: 8]")) {
            Map<String, Located> one = mapping(item, null, "a loop (rank: factor)");
            if (one.size() != 1) {
                throw new InvalidInputException(item.pos(), "a loop is one 'rank: factor' pair, as in m: 4");
            }
            var entry = one.entrySet().iterator().next();
            loops.add(new Mapping.Loop(entry.getKey(), positiveWhole(entry.getValue(), "the factor of " + entry.getKey()),
                keys(item).get(entry.getKey()).pos()));
        }
        return List.copyOf(loops);
    }
}
