/**
 * Serving a request trace on a placed system, iteration by iteration
 * ({@link cascade.sim.serving.ServingSimulator}): continuous batching, prefill on admission,
 * KV-cache limits with recompute preemption, for the offloaded placement and the homogeneous
 * baseline alike.
 */
package cascade.sim.serving;
