/**
 * Architectures: what hardware exists, with no algorithm in it. An {@link cascade.hw.Architecture}
 * is a storage hierarchy ({@link cascade.hw.StorageLevel}, outermost first) above compute units
 * ({@link cascade.hw.ComputeArray}), loaded from YAML by {@link cascade.hw.ArchitectureLoader}
 * with unit-checked {@link cascade.hw.Figure}s that keep their sources. Presets live under
 * {@code src/main/resources/architectures}; the format is in hw-models/README.md.
 * Devices and links (#6), the top-k engine model (#5) and RTL (#7) are still to come.
 */
package cascade.hw;
