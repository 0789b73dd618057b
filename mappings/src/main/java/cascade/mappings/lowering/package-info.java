/**
 * From a design and a workload to what runs: {@link cascade.mappings.lowering.Lowering} splits
 * each fused group into tiles, blocks and steps, decides where every tensor lives, costs each
 * Einsum for one run through an {@link cascade.mappings.lowering.Lowering.EinsumCoster} (the
 * mapper, by default), and records the result as a {@link cascade.mappings.lowering.Schedule},
 * which every {@link cascade.mappings.model.CostModel} costs and which counts its own actions.
 *
 * <p>Sparsity is decided here, once, for both cost models: {@code Sparsity} pads a length to whole
 * chunks and derives each Einsum's effectual points (the cascade's masks and the algebra's nulls,
 * {@link cascade.einsum.analysis.Effectual}), {@link cascade.mappings.lowering.Occupancy} classifies
 * every stepped run as empty, full or partly effectual, and each work carries its design's
 * {@link cascade.mappings.spec.SparsityPolicy}. {@code TopKCoster} gives a top-k on a top-k engine
 * the engine's time on synthetic attention's numbers.
 */
package cascade.mappings.lowering;
