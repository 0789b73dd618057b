/**
 * Trace formats in and out: score and request traces, timeline traces. Empty until issues #4–#6.
 */
package cascade.traces;
