package cascade.mappings.sweep;

import cascade.einsum.InvalidInputException;
import cascade.hw.YamlNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link SweepRunner} runs: numbered points, each evaluated to one CSV row. Two kinds,
 * told apart by their YAML: an Einsum sweep ({@link Sweep}: one Einsum mapped onto an
 * architecture grid) and a design sweep ({@link DesignSweep}: designs × workloads × lengths ×
 * an architecture grid, estimated whole). The Pareto front is taken over {@link #objectives()}
 * ({@code cycles} and {@code energyPj} unless a plan says otherwise).
 */
public interface SweepPlan {
    String name();

    /** The columns of a row, after the point number. */
    List<String> columns();

    long points();

    /** The columns the Pareto front minimises together. */
    default List<String> objectives() {
        return List.of("cycles", "energyPj");
    }

    /** Columns whose values must match for two rows to be compared for the Pareto front (none: all rows). */
    default List<String> paretoWithin() {
        return List.of();
    }

    /** Point {@code id}'s row, one value per column ("" where the point has no result). */
    List<String> evaluate(long id);

    static SweepPlan load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8), path.toAbsolutePath().getParent());
    }

    /** A sweep from its text; {@code file} names it in messages, {@code dir} resolves the files it names. */
    static SweepPlan parse(String file, String text, Path dir) {
        YamlNodes.Located root = YamlNodes.compose(file, text, "a sweep");
        if (!(root.node() instanceof org.yaml.snakeyaml.nodes.MappingNode)) {
            throw new InvalidInputException(root.pos(), "a sweep is a mapping with 'sweep', and 'einsum' or 'designs'");
        }
        boolean designs = YamlNodes.keys(root).containsKey("designs");
        return designs ? DesignSweep.parse(file, text, dir) : Sweep.parse(file, text, dir);
    }
}
