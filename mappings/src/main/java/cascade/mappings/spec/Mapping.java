package cascade.mappings.spec;

import cascade.einsum.SourcePos;
import java.util.List;
import java.util.Set;

/**
 * How a cascade runs on an architecture: for each Einsum, the compute unit it is bound to and
 * its loop nest, level by level from the outermost storage inwards. It adds no arithmetic and
 * no hardware (ARCHITECTURE.md); {@link MappingValidator} checks it against both.
 */
public record Mapping(String name, String file, List<EinsumMapping> einsums) {

    /** One loop: {@code factor} iterations over part of {@code rank} (an index name, lower case). */
    public record Loop(String rank, long factor, SourcePos pos) {
    }

    /**
     * The loops at one storage level: temporal ones outer to inner, and spatial ones spread over
     * the unit's rows and columns (the fan-out to the PEs below). {@code keep} names the tensors
     * this level holds (null: all of the Einsum's).
     */
    public record LevelLoops(String level, List<Loop> temporal, List<Loop> spatialRows, List<Loop> spatialCols,
                             Set<String> keep, SourcePos pos) {
    }

    /** The mapping of the Einsum that computes {@code output}. */
    public record EinsumMapping(String output, String unit, List<LevelLoops> levels, SourcePos pos, SourcePos unitPos) {
    }
}
