/**
 * Architectures: storage hierarchies, 2D/1D arrays, top-k engines, devices and links, with
 * energy and area tables; RTL generators. Empty until issue #3 (architecture specs) and #7 (RTL);
 * the module exists now so the reactor and its dependency direction are fixed from the start.
 */
package cascade.hw;
