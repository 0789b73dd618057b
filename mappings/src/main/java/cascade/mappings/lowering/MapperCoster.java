package cascade.mappings.lowering;

import cascade.mappings.model.Estimate;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Design;

import cascade.hw.Architecture;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The mapper as a {@link Lowering.EinsumCoster}: its local search's best mapping for cycles, each search done once. */
final class MapperCoster implements Lowering.EinsumCoster {
    private final long starts;
    private final long steps;

    MapperCoster(long starts, long steps) {
        this.starts = starts;
        this.steps = steps;
    }

    /** What a best mapping depends on: the hardware, the cascade, the Einsum, its unit, sizes and residency. */
    private record Key(Architecture arch, String cascade, String einsum, String unit, Map<String, Long> sizes,
                       Map<String, String> resident) {
    }

    private final Map<Key, Estimate.EinsumEstimate> cache = new ConcurrentHashMap<>();

    @Override
    public Estimate.EinsumEstimate best(Design d, String e, Map<String, Long> sizes, Map<String, String> resident) {
        Key key = new Key(d.architecture(), d.cascade().name(), e, d.units().get(e), Map.copyOf(sizes), Map.copyOf(resident));
        return cache.computeIfAbsent(key, k -> {
            Mapper m = new Mapper(d.cascade(), sizes, d.architecture(), e, d.units().get(e), Mapper.Objective.DELAY_THEN_ENERGY, resident);
            Mapper.Result r = m.search(new Mapper.LocalSearch(starts, steps, 1), 1, 1);
            if (r.best().isEmpty()) {
                throw new IllegalStateException("no mapping of Einsum " + e + " fits unit " + d.units().get(e));
            }
            return r.best().getFirst().estimate();
        });
    }
}
