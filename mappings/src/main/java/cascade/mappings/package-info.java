/**
 * Mappings that bind a cascade to an architecture, the analytical cost model, the mapper and
 * design-space sweeps. Empty until issue #3.
 */
package cascade.mappings;
