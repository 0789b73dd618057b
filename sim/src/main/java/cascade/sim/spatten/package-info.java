/**
 * SpAtten's pipeline: pruning and progressive quantisation decided on real numbers or score
 * traces ({@link cascade.sim.spatten.SpattenPolicy}), the per-head work that follows
 * ({@link cascade.sim.spatten.HeadWork}), its simulation on key fetch, multipliers, softmax and a
 * top-k engine ({@link cascade.sim.spatten.SpattenSimulator}), runs against a dense baseline
 * ({@link cascade.sim.spatten.SpattenRun}) and sweeps ({@link cascade.sim.spatten.SpattenSweep}).
 *
 * <p>SpAtten is also a design on the general simulator (the {@code spatten} design preset;
 * {@link cascade.sim.spatten.SpattenDesignRun} plays a release trace on it, head shape by head
 * shape). The two agree on DRAM bytes, and within 10% on cycles on the released traces (README:
 * the preset's chains, and the engine handing out what it keeps), not yet on the synthetic
 * workloads (1.1–1.2×: the softmax unit's three passes over the keys where the pipeline charges
 * one), and the synthetic workloads'
 * decisions (recompute, head pruning on real numbers) run on the dedicated pipeline only; it is
 * to go once they fold in (issue 16).
 */
package cascade.sim.spatten;
