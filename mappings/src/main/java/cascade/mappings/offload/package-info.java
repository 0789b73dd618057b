/**
 * Heterogeneous attention offloading ({@link cascade.mappings.offload.Offload}): a decoder
 * layer's Einsums bound to a compute pool and a memory pool, the tensors that cross on the link,
 * and the search for the most tokens per dollar under a latency limit, beside the homogeneous
 * baseline.
 */
package cascade.mappings.offload;
