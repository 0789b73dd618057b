/**
 * The command-line entry point ({@link cascade.sim.Main}). The cycle-level simulator arrives
 * here with issue #4; until then the module holds the CLI, whose commands live in {@code cli}.
 */
package cascade.sim;
