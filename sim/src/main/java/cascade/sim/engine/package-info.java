/**
 * The cycle-level simulator. It plays out the lowering that {@code mappings} makes of a design
 * ({@link cascade.mappings.Schedule}): the same per-run costs as the analytical estimate, so the
 * two can differ only where overlap is imperfect — pipeline fill and drain per tile, DRAM
 * latency, contention at shared levels, dependencies that FIFO depth cannot hide. Work advances
 * in runs of one Einsum over one block and step (never per PE or per cycle), and repeated
 * periods and tiles are skipped exactly (see {@link cascade.sim.engine.Simulator}).
 *
 * <p>Timing with values: each placed task of the first head computes its numbers through an
 * {@link cascade.einsum.exec.Session} (the executor's kernels, one run at a time), so the
 * simulated order itself is checked against the executor. Not yet: data-dependent work (top-k
 * engines, issue #5).
 */
package cascade.sim.engine;
