/**
 * The command-line entry point ({@link cascade.sim.Main}); the commands live in {@code cli}, the
 * simulator in {@code engine}, the FuseMax reproduction and its page in {@code report}.
 */
package cascade.sim;
