/**
 * Mappings bind a cascade to an architecture: per Einsum, a compute unit and a loop nest over the
 * storage levels ({@link cascade.mappings.Mapping}, loaded by {@link cascade.mappings.MappingLoader}).
 * {@link cascade.mappings.MappingValidator} checks one against both and yields a
 * {@link cascade.mappings.MappedCascade}; a {@link cascade.mappings.CostModel} (now the
 * {@link cascade.mappings.AnalyticalModel}) turns that into an {@link cascade.mappings.Estimate}.
 * Fusion between Einsums, the mapper and sweeps (the rest of issue #3) are not written yet.
 */
package cascade.mappings;
