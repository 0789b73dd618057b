/**
 * Trace formats in and out. {@link cascade.traces.Timeline}: what a simulation did, as slices on
 * tracks (one per unit and per storage level), written as Perfetto / Chrome trace-event JSON or
 * CSV. Workload traces (scores, requests) come with issues #5 and #6.
 */
package cascade.traces;
