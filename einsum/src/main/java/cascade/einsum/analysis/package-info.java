/**
 * Closed-form facts about a cascade at bound sizes: passes over the key rank
 * ({@link cascade.einsum.analysis.Passes}, FuseMax's classification), exact operation counts
 * ({@link cascade.einsum.analysis.OpCounts}) and the live intermediate footprint
 * ({@link cascade.einsum.analysis.Footprint}); {@link cascade.einsum.analysis.Analysis} bundles them.
 */
package cascade.einsum.analysis;
