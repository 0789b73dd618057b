/**
 * Design-space sweeps: a {@link cascade.mappings.sweep.SweepPlan} numbers its points and evaluates
 * any one of them; {@link cascade.mappings.sweep.SweepRunner} runs a plan on a thread pool with
 * progress, resumes from a partial CSV and writes the result atomically with the Pareto front
 * marked. Plans: one Einsum's mappings over an architecture {@link cascade.mappings.sweep.Grid}
 * ({@link cascade.mappings.sweep.Sweep}), and whole designs × workloads × lengths × a grid
 * ({@link cascade.mappings.sweep.DesignSweep}, costed by the closed form).
 */
package cascade.mappings.sweep;
