/**
 * The command-line entry point ({@link cascade.sim.Main}); the commands live in {@code cli}, the
 * simulator in {@code engine}, the FuseMax reproduction and report pages in {@code report},
 * SpAtten's pruning pipeline in {@code spatten}, serving simulation in {@code serving}.
 */
package cascade.sim;
