/**
 * Fuzzing of every reader of user input ({@code ./cascade bench fuzz}). It lives in {@code sim}
 * because this is the one module that sees every reader (cascade text in {@code einsum}, traces
 * in {@code traces}, architectures in {@code hw-models}, designs, mappings, sweeps and Timeloop
 * files in {@code mappings}, SpAtten sweeps here). {@link cascade.sim.fuzz.Readers} is the single
 * entry point Jazzer drives, the first byte naming the reader; {@link cascade.sim.fuzz.FuzzRun}
 * starts Jazzer in child JVMs, seeds them from the repository's files and the regression inputs
 * of {@code sim/src/test/resources/fuzz/}, and counts executions and findings.
 */
package cascade.sim.fuzz;
