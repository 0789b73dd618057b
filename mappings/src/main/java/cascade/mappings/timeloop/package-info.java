/**
 * Timeloop's users' files. {@link cascade.mappings.timeloop.TimeloopReader} reads Timeloop v0.4
 * architectures, problems, mappings and Accelergy's energy reference tables into Cascade's own
 * types (a cascade of one Einsum, an {@link cascade.hw.Architecture}, a mapping), with located
 * errors that name the Timeloop key; {@link cascade.mappings.timeloop.TimeloopModel} counts a
 * mapped Einsum as Timeloop does (per-instance reads, fills and updates, first-read elision,
 * multicast, cycles, energy through {@link cascade.hw.EnergyAccountant}), so its figures can be
 * held against Timeloop's {@code stats.txt}. Still to come (issue 14): the mapper on Timeloop's
 * map space, export to Timeloop files, !Parallel levels, 2D spatial splits.
 */
package cascade.mappings.timeloop;
