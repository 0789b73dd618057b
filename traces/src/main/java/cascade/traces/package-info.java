/**
 * Trace formats in and out, each read with located errors and written atomically
 * ({@link cascade.traces.AtomicFiles}): {@link cascade.traces.Timeline}, what a simulation did as
 * slices on tracks (Perfetto / Chrome trace-event JSON or CSV); {@link cascade.traces.ScoreTrace},
 * attention scores streamed from a binary file with a CSV index;
 * {@link cascade.traces.SpattenTrace}, SpAtten's released per-head summaries;
 * {@link cascade.traces.SyntheticAttention}, seeded synthetic scores; and
 * {@link cascade.traces.RequestTrace}, serving requests (CSV, or generated as Poisson or gamma
 * arrivals).
 */
package cascade.traces;
