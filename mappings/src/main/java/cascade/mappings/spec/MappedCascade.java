package cascade.mappings.spec;

import cascade.einsum.Cascade;
import cascade.hw.Architecture;
import java.util.Map;

/**
 * A cascade, an architecture, sizes and a mapping that {@link MappingValidator} found consistent.
 * {@code resident} names tensors kept on chip, with the level that holds them: they move only
 * below that level (a fused group's intermediates never go to DRAM).
 */
public record MappedCascade(Cascade cascade, Architecture architecture, Map<String, Long> sizes, Mapping mapping,
                            Map<String, String> resident) {
    public MappedCascade(Cascade cascade, Architecture architecture, Map<String, Long> sizes, Mapping mapping) {
        this(cascade, architecture, sizes, mapping, Map.of());
    }
}
