/**
 * Architectures: what hardware exists, with no algorithm in it. An {@link cascade.hw.Architecture}
 * is a storage hierarchy ({@link cascade.hw.StorageLevel}, outermost first) above compute units
 * ({@link cascade.hw.ComputeArray}), loaded from YAML by {@link cascade.hw.ArchitectureLoader}
 * with unit-checked {@link cascade.hw.Figure}s that keep their sources. Presets live under
 * {@code src/main/resources/architectures}; the format is in hw-models/README.md. Energy per
 * action comes from the architecture's figures or from a per-node table
 * ({@link cascade.hw.EnergyTable}); what a run did is {@link cascade.hw.ActionCounts}, and
 * {@link cascade.hw.EnergyAccountant} is the one place that prices them. Also here: top-k engine
 * models ({@link cascade.hw.TopKEngine}), serving devices and links ({@link cascade.hw.Device},
 * our own accelerators built from their architecture presets), and the RTL layer in {@code rtl}.
 */
package cascade.hw;
