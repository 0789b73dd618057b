/**
 * SpAtten's pipeline: pruning and progressive quantisation decided on real numbers or score
 * traces ({@link cascade.sim.spatten.SpattenPolicy}), the per-head work that follows
 * ({@link cascade.sim.spatten.HeadWork}), its simulation on key fetch, multipliers, softmax and a
 * top-k engine ({@link cascade.sim.spatten.SpattenSimulator}), runs against a dense baseline
 * ({@link cascade.sim.spatten.SpattenRun}) and sweeps ({@link cascade.sim.spatten.SpattenSweep}).
 *
 * <p>SpAtten is also a design on the general simulator (the {@code spatten} design preset;
 * {@link cascade.sim.spatten.SpattenDesignRun} plays a release trace on it, head shape by head
 * shape). The two agree on DRAM bytes, not yet on cycles (README: 1.19–1.27× on the releases with
 * the preset's chains; the exponentials wait for the maximum and the division for the sum, three
 * passes of the softmax unit where the pipeline charges one, and shapes run in sequence), and the synthetic workloads'
 * decisions (recompute, head pruning on real numbers) run on the dedicated pipeline only; it is
 * to go once they fold in (issue 16).
 */
package cascade.sim.spatten;
