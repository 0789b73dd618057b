/**
 * The cycle-level simulator. It plays out the lowering that {@code mappings} makes of a design
 * ({@link cascade.mappings.lowering.Schedule}): the same per-run costs as the analytical estimate, so the
 * two can differ only where overlap is imperfect — pipeline fill and drain per tile, DRAM
 * latency, contention at shared levels, dependencies that FIFO depth cannot hide. Work advances
 * in runs of one Einsum over one block and step (never per PE or per cycle), and repeated
 * periods and tiles are skipped exactly (see {@link cascade.sim.engine.Simulator}).
 *
 * <p>Timing with values: each placed task of the first head computes its numbers through an
 * {@link cascade.einsum.exec.Session} (the executor's kernels, one run at a time), so the
 * simulated order itself is checked against the executor ({@link cascade.sim.engine.TimingWithValues}).
 * The simulator is a {@link cascade.mappings.model.CostModel} ({@link cascade.sim.engine.Simulator.Model})
 * and reports in the closed form's schema. Not yet on this simulator: data-dependent work (SpAtten's
 * top-k pipeline still has its own, in {@code cascade.sim.spatten}).
 */
package cascade.sim.engine;
