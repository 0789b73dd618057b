/**
 * Mappings bind a cascade to an architecture: per Einsum, a compute unit and a loop nest over the
 * storage levels ({@link cascade.mappings.Mapping}, loaded by {@link cascade.mappings.MappingLoader}).
 * {@link cascade.mappings.MappingValidator} checks one against both and yields a
 * {@link cascade.mappings.MappedCascade}. The analytical cost model, the mapper and sweeps (the
 * rest of issue #3) build on this and are not written yet.
 */
package cascade.mappings;
