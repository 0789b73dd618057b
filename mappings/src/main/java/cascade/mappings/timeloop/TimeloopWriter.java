package cascade.mappings.timeloop;

import cascade.mappings.spec.Mapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Cascade's mappings written as Timeloop v0.4 mapping files, which Timeloop (and {@code timeloop model}) read back. */
public final class TimeloopWriter {
    private TimeloopWriter() {
    }

    /**
     * One temporal directive per level (every dimension's factor, the permutation innermost first
     * as Timeloop writes it) and one {@code dataspace} directive per level saying what it keeps.
     */
    public static String mapping(Mapping.EinsumMapping m, List<String> dims, Set<String> dataSpaces) {
        StringBuilder out = new StringBuilder("mapping:\n");
        for (Mapping.LevelLoops l : m.levels()) {
            if (!l.spatialRows().isEmpty() || !l.spatialCols().isEmpty()) {
                throw new IllegalArgumentException("writing spatial loops (level " + l.level() + ") is not done yet");
            }
            List<String> innerFirst = new ArrayList<>();
            for (Mapping.Loop loop : l.temporal().reversed()) {
                innerFirst.add(loop.rank().toUpperCase(Locale.ROOT));
            }
            List<String> factors = new ArrayList<>();
            for (String d : dims) {
                long f = l.temporal().stream().filter(x -> x.rank().toUpperCase(Locale.ROOT).equals(d))
                    .mapToLong(Mapping.Loop::factor).reduce(1, Math::multiplyExact);
                factors.add(d + "=" + f);
                if (!innerFirst.contains(d)) {
                    innerFirst.add(d);
                }
            }
            out.append("  - target: ").append(l.level()).append("\n    type: temporal\n    factors: ")
                .append(String.join(" ", factors)).append("\n    permutation: ").append(String.join("", innerFirst))
                .append("\n");
            Set<String> keep = l.keep() == null ? dataSpaces : l.keep();
            out.append("  - target: ").append(l.level()).append("\n    type: dataspace\n    keep: [")
                .append(String.join(", ", dataSpaces.stream().filter(keep::contains).toList())).append("]\n    bypass: [")
                .append(String.join(", ", dataSpaces.stream().filter(t -> !keep.contains(t)).toList())).append("]\n");
        }
        return out.toString();
    }
}
