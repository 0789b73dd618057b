/**
 * One picocli command per class. Commands parse and validate their arguments (bad input is an
 * {@link cascade.einsum.InvalidInputException}, exit code 2), call the modules, and print JSON or
 * a table; they hold no modelling logic of their own.
 */
package cascade.sim.cli;
