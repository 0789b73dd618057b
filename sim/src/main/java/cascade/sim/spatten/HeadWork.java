package cascade.sim.spatten;

import cascade.traces.SpattenTrace;

/**
 * One head's work at one step, as SpAtten's pipeline sees it: the release's row (keys and values
 * that survive pruning, their bit widths, whether a top-k runs), the number of queries that attend
 * (1 when decoding; the sequence for an encoder), whether the row is recomputed with the keys'
 * low bits (known for synthetic workloads, where the scores exist; for a release trace a policy
 * decides), and the scores each top-k selects among (null: draw them, seeded, as the release does
 * not record them).
 */
public record HeadWork(SpattenTrace.Row row, int queries, boolean recompute, float[] valueScores, float[] tokenScores) {
}
