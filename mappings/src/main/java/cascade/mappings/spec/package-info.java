/**
 * The inputs of costing that users write: mapping YAML ({@link cascade.mappings.spec.Mapping},
 * read by {@link cascade.mappings.spec.MappingLoader}, written by
 * {@link cascade.mappings.spec.MappingWriter}, checked against a cascade and an architecture by
 * {@link cascade.mappings.spec.MappingValidator} into a {@link cascade.mappings.spec.MappedCascade});
 * design YAML ({@link cascade.mappings.spec.Design}, naming its architecture and cascade by preset
 * or by a path relative to itself, with the modelling {@link cascade.mappings.spec.Assumption}s it
 * makes, each of which a user can turn off, and for FLAT the artifact's per-workload dataflow
 * table, {@link cascade.mappings.spec.FlatDataflows}); and the one catalog of models
 * ({@link cascade.mappings.spec.ModelShape}, {@code models.yaml}), attention shapes and whole
 * decoders alike. Every problem is a located {@link cascade.einsum.InvalidInputException}.
 */
package cascade.mappings.spec;
