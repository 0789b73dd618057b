package cascade.mappings.sweep;

import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.hw.YamlNodes.Located;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture figures a sweep varies: each key ({@code LEVEL.key} or {@code UNIT.key}) with
 * its values as written. Points are numbered in grid order, the last key fastest.
 */
public record Grid(Map<String, List<Located>> values) {
    public static Grid none() {
        return new Grid(Map.of());
    }

    /** The YAML mapping of keys to value lists; a key with no values is refused at its position. */
    public static Grid parse(Located node) {
        Map<String, List<Located>> grid = new LinkedHashMap<>();
        for (var g : mapping(node, null, "the grid").entrySet()) {
            List<Located> v = sequence(g.getValue(), "values for " + g.getKey());
            if (v.isEmpty()) {
                throw new InvalidInputException(g.getValue().pos(), "grid key " + g.getKey() + " has no values");
            }
            grid.put(g.getKey(), v);
        }
        return new Grid(grid);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public long points() {
        long n = 1;
        for (List<Located> v : values.values()) {
            n = Math.multiplyExact(n, v.size());
        }
        return n;
    }

    /** The value of every key at point {@code id}. */
    public Map<String, Located> point(long id) {
        List<String> keys = new ArrayList<>(values.keySet());
        Located[] chosen = new Located[keys.size()];
        long rest = id;
        for (int k = keys.size() - 1; k >= 0; k--) {
            List<Located> v = values.get(keys.get(k));
            chosen[k] = v.get((int) (rest % v.size()));
            rest /= v.size();
        }
        Map<String, Located> point = new LinkedHashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            point.put(keys.get(k), chosen[k]);
        }
        return point;
    }
}
