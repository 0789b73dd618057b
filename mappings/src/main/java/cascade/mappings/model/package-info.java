/**
 * Cost models. Per Einsum: {@link cascade.mappings.model.AnalyticalModel}, Timeloop-style
 * accesses per level and cycles of one mapped loop nest ({@link cascade.mappings.model.Estimate}).
 * Per design: {@link cascade.mappings.model.CostModel}, a {@link cascade.mappings.lowering.Schedule}
 * in and one {@link cascade.mappings.model.Report} out, implemented here by the closed form
 * ({@link cascade.mappings.model.ClosedForm}) and in {@code cascade.sim.engine} by the
 * cycle-level simulator. Every report's energy is its {@link cascade.hw.ActionCounts} priced by
 * {@link cascade.hw.EnergyAccountant}; {@link cascade.mappings.model.Explanation} takes a figure
 * apart into counts, table entries and their sources ({@code --explain}).
 */
package cascade.mappings.model;
