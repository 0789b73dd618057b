/**
 * The mapper: {@link cascade.mappings.search.Mapper} searches the loop nests of one Einsum on one
 * unit (exhaustive, random, local search), scoring candidates with a compiled form of the
 * analytical model that allocates nothing per candidate, and returns the best with the full
 * {@link cascade.mappings.model.AnalyticalModel} estimate of each.
 */
package cascade.mappings.search;
