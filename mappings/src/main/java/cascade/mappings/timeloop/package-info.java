/**
 * Timeloop's users' files. {@link cascade.mappings.timeloop.TimeloopReader} reads Timeloop v0.4
 * architectures, problems, mappings and Accelergy's energy reference tables into Cascade's own
 * types (a cascade of one Einsum, an {@link cascade.hw.Architecture}, a mapping), with located
 * errors that name the Timeloop key; {@link cascade.mappings.timeloop.TimeloopModel} counts a
 * mapped Einsum as Timeloop does (per-instance reads, fills and updates, first-read elision,
 * multicast, cycles, energy through {@link cascade.hw.EnergyAccountant}), so its figures can be
 * held against Timeloop's {@code stats.txt}; {@link cascade.mappings.timeloop.TimeloopMapper} runs
 * Cascade's mapper on Timeloop's map space with that counting, and
 * {@link cascade.mappings.timeloop.TimeloopWriter} writes a mapping back in Timeloop's format, and
 * exports one of Cascade's mapped Einsums (architecture path, problem, mapping, ERT) so Timeloop
 * can check Cascade. The mapper's constraints come from the architecture's own nodes and from a
 * constraints file, read into {@link cascade.mappings.search.Mapper.Constraints} (fixed factors,
 * innermost loops) and keep/bypass sets, so Cascade's one mapper searches Timeloop's space; a
 * level's {@code multiple_buffering: N} leaves a tile depth / N of it, and a mapping whose tiles
 * overfill a level ({@link cascade.mappings.timeloop.TimeloopModel#overflowing}) is refused by the
 * model and skipped by the mapper unless the level has {@code allow_overbooking: true}. The oracle
 * the closed form is tested against plays the same rules loop by loop ({@code TimeloopNestOracle},
 * in the tests). Not yet: architectures that
 * fan out below more than one level (the mapper searches one fan-out, the array's rows and
 * columns), refused by name.
 */
package cascade.mappings.timeloop;
