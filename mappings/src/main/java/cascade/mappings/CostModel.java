package cascade.mappings;

/**
 * Turns a mapped cascade into an {@link Estimate}. The analytical model implements it now; the
 * cycle-level simulator (#4) will too, so the mapper can search with either.
 */
public interface CostModel {
    Estimate estimate(MappedCascade mapped);
}
