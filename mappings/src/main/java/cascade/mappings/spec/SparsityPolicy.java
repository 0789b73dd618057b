package cascade.mappings.spec;

import java.util.List;

/**
 * What a unit does with ineffectual work (Sparseloop's distinction): the points an Einsum's masks
 * and the algebra make null ({@link cascade.einsum.analysis.Effectual}). A design names one per unit
 * or per Einsum under {@code sparsity:}; the default is {@link #BLOCKS}, which no dense result feels.
 */
public enum SparsityPolicy implements YamlNamed {
    /** Computes every point, even of a chunk and block that nothing needs (the padded, unmasked cost). */
    DENSE("dense"),
    /** Runs of a stage whose every point is ineffectual are skipped (no cycle, no fetch); a partly masked run is paid whole. */
    BLOCKS("blocks"),
    /** As {@link #BLOCKS}, and within a run an ineffectual point costs its cycle but no energy (no access, no operation). */
    GATE("gate"),
    /** As {@link #BLOCKS}, and within a run an ineffectual point costs nothing: the run's time and traffic shrink with it. */
    SKIP("skip");

    private final String yamlName;

    SparsityPolicy(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }

    public static SparsityPolicy named(String name) {
        return YamlNamed.named(values(), name, "sparsity policy");
    }

    public static List<String> names() {
        return YamlNamed.names(values());
    }

    /** Whether an ineffectual point inside a performed run spends no time. */
    public boolean skipsTime() {
        return this == SKIP;
    }

    /** Whether an ineffectual point inside a performed run spends no energy. */
    public boolean skipsEnergy() {
        return this == SKIP || this == GATE;
    }
}
