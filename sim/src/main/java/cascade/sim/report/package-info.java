/**
 * The FuseMax reproduction ({@link cascade.sim.report.Reproduction}) and the page that shows it
 * ({@link cascade.sim.report.Page}: inline SVG charts, no script, opens from a file).
 */
package cascade.sim.report;
