/**
 * SpAtten's pipeline: pruning and progressive quantisation decided on real numbers or score
 * traces ({@link cascade.sim.spatten.SpattenPolicy}), the per-head work that follows
 * ({@link cascade.sim.spatten.HeadWork}), its simulation on key fetch, multipliers, softmax and a
 * top-k engine ({@link cascade.sim.spatten.SpattenSimulator}), runs against a dense baseline
 * ({@link cascade.sim.spatten.SpattenRun}) and sweeps ({@link cascade.sim.spatten.SpattenSweep}).
 * A dedicated simulator today; it is to become a design on the general one (issue 16).
 */
package cascade.sim.spatten;
