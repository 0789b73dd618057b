/**
 * How a cascade is put on an architecture, and what that costs. Sub-packages, in the order a
 * design is costed:
 * <ul>
 *   <li>{@code spec}: what users write and choose — mappings (a unit and a loop nest per Einsum,
 *       {@link cascade.mappings.spec.MappingLoader}, checked by
 *       {@link cascade.mappings.spec.MappingValidator}), designs ({@link cascade.mappings.spec.Design}:
 *       units, fused groups, what stays where) and the model catalog
 *       ({@link cascade.mappings.spec.ModelShape}).</li>
 *   <li>{@code search}: the mapper ({@link cascade.mappings.search.Mapper}), which finds loop
 *       nests for one Einsum on one unit with a fast compiled form of the per-Einsum model.</li>
 *   <li>{@code lowering}: {@link cascade.mappings.lowering.Lowering} turns a design on a workload
 *       into a {@link cascade.mappings.lowering.Schedule} (stages, run counts, each Einsum's cost
 *       per run).</li>
 *   <li>{@code model}: the per-Einsum analytical model ({@link cascade.mappings.model.AnalyticalModel})
 *       and the one seam every design-level model implements,
 *       {@link cascade.mappings.model.CostModel}: Schedule in, one
 *       {@link cascade.mappings.model.Report} out (the closed form here, the cycle-level simulator
 *       in {@code sim}), energy always as action counts priced by
 *       {@link cascade.hw.EnergyAccountant}, explained by {@link cascade.mappings.model.Explanation}.</li>
 *   <li>{@code sweep}: resumable, atomic sweeps over mappings and over designs.</li>
 *   <li>{@code offload}: attention offloading across device pools.</li>
 * </ul>
 */
package cascade.mappings;
