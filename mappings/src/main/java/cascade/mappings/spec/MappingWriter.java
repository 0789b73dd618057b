package cascade.mappings.spec;

import java.util.List;
import java.util.stream.Collectors;

/** Writes mappings as the YAML {@link MappingLoader} reads, so what the mapper finds can be kept and edited. */
public final class MappingWriter {
    private MappingWriter() {
    }

    public static String yaml(Mapping m) {
        StringBuilder sb = new StringBuilder();
        sb.append("mapping: ").append(m.name()).append('\n');
        sb.append("einsums:\n");
        for (Mapping.EinsumMapping e : m.einsums()) {
            sb.append("  ").append(e.output()).append(":\n");
            sb.append("    unit: ").append(e.unit()).append('\n');
            sb.append("    levels:\n");
            for (Mapping.LevelLoops l : e.levels()) {
                sb.append("      ").append(l.level()).append(":");
                boolean empty = l.temporal().isEmpty() && l.spatialRows().isEmpty() && l.spatialCols().isEmpty()
                    && l.keep() == null;
                if (empty) {
                    sb.append(" {}\n");
                    continue;
                }
                sb.append('\n');
                if (!l.temporal().isEmpty()) {
                    sb.append("        temporal: ").append(loops(l.temporal())).append('\n');
                }
                if (!l.spatialRows().isEmpty() || !l.spatialCols().isEmpty()) {
                    sb.append("        spatial: {rows: ").append(loops(l.spatialRows())).append(", cols: ")
                        .append(loops(l.spatialCols())).append("}\n");
                }
                if (l.keep() != null) {
                    sb.append("        keep: [").append(String.join(", ", l.keep())).append("]\n");
                }
            }
        }
        return sb.toString();
    }

    private static String loops(List<Mapping.Loop> loops) {
        return loops.stream().map(x -> x.rank() + ": " + x.factor()).collect(Collectors.joining(", ", "[", "]"));
    }
}
