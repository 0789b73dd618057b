/**
 * From a design and a workload to what runs: {@link cascade.mappings.lowering.Lowering} splits
 * each fused group into tiles, blocks and steps, decides where every tensor lives, costs each
 * Einsum for one run through an {@link cascade.mappings.lowering.Lowering.EinsumCoster} (the
 * mapper, by default), and records the result as a {@link cascade.mappings.lowering.Schedule},
 * which every {@link cascade.mappings.model.CostModel} costs and which counts its own actions.
 */
package cascade.mappings.lowering;
