package cascade.mappings;

import cascade.einsum.Cascade;
import cascade.hw.Architecture;
import java.util.Map;

/** A cascade, an architecture, sizes and a mapping that {@link MappingValidator} found consistent. */
public record MappedCascade(Cascade cascade, Architecture architecture, Map<String, Long> sizes, Mapping mapping) {
}
