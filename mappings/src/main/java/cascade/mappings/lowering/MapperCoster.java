package cascade.mappings.lowering;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.hw.Architecture;
import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.model.Estimate;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.MappingValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mapper as a {@link Lowering.EinsumCoster}: its local search's best mapping for cycles, each
 * search done once.
 *
 * <p>The mapper factorises each rank exactly, so a rank of awkward size (a prime, 997 keys) cannot
 * spread over an array's lanes and runs on one. Hardware pads instead: the last iteration runs with
 * lanes idle. So a rank whose size is not a multiple of {@link #paddingStep} is also mapped padded
 * up to one, and the faster of the two mappings is kept (the exact one on a tie). A padded
 * mapping's cycles are its own (the idle lanes take their time); its points, accesses and energy
 * are the real work's: each tensor's accesses scaled by real over padded size for every padded rank
 * that indexes it (a tensor read again per iteration of a padded rank it does not depend on keeps
 * the padded count: an upper bound of at most one step in a padded rank's size).
 */
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

    private final Map<Key, java.util.Optional<Estimate.EinsumEstimate>> cache = new ConcurrentHashMap<>();

    @Override
    public Estimate.EinsumEstimate best(Design d, String e, Map<String, Long> sizes, Map<String, String> resident) {
        Estimate.EinsumEstimate exact = search(d, e, sizes, resident)
            .orElseThrow(() -> new IllegalStateException("no mapping of Einsum " + e + " fits unit " + d.units().get(e)));
        Map<String, Long> padded = padded(d.cascade(), d.cascade().producer(e), sizes);
        if (padded.equals(sizes)) {
            return exact;
        }
        // Where the padded tiles overfill a level the exact ones fit, the exact mapping stands.
        return search(d, e, padded, resident).filter(wide -> wide.cycles() < exact.cycles())
            .map(wide -> real(d, d.cascade().producer(e), wide, sizes, padded)).orElse(exact);
    }

    private java.util.Optional<Estimate.EinsumEstimate> search(Design d, String e, Map<String, Long> sizes,
                                                               Map<String, String> resident) {
        Key key = new Key(d.architecture(), d.cascade().name(), e, d.units().get(e), Map.copyOf(sizes), Map.copyOf(resident));
        return cache.computeIfAbsent(key, k -> {
            Mapper m = new Mapper(d.cascade(), sizes, d.architecture(), e, d.units().get(e), Mapper.Objective.DELAY_THEN_ENERGY, resident);
            Mapper.Result r = m.search(new Mapper.LocalSearch(starts, steps, 1), 1, 1);
            return r.best().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(r.best().getFirst().estimate());
        });
    }

    /**
     * The step a rank of {@code n} is padded to a multiple of: the largest power of two no more than
     * √n (997 → 16, padded to 1,008; never more than one step, about 1/√n, of padding). A power of
     * two is a multiple of its own step, so it is never padded.
     */
    static long paddingStep(long n) {
        long step = 1;
        while ((step * 2) * (step * 2) <= n) {
            step *= 2;
        }
        return step;
    }

    /** The sizes with each rank the Einsum iterates padded to a multiple of its step (ranks of a partition excepted). */
    private static Map<String, Long> padded(Cascade c, Einsum e, Map<String, Long> sizes) {
        Map<String, Long> out = new LinkedHashMap<>(sizes);
        for (String r : iterated(e)) {
            boolean partitioned = c.partitionOfPart(r) != null || c.partitions().stream().anyMatch(p -> p.whole().equals(r));
            Long n = sizes.get(r);
            if (partitioned || n == null) {
                continue;
            }
            long step = paddingStep(n);
            out.put(r, (n + step - 1) / step * step);
        }
        return out;
    }

    private static Set<String> iterated(Einsum e) {
        Set<String> ranks = new LinkedHashSet<>();
        MappingValidator.tensorRanks(e).values().forEach(ranks::addAll);
        return ranks;
    }

    /** {@code n × share} rounded up, and exactly where it is whole to double precision (real elements are whole). */
    private static long scaled(long n, double share) {
        double x = n * share;
        long whole = Math.round(x);
        return Math.abs(x - whole) <= 1e-9 * Math.max(1, x) ? whole : (long) Math.ceil(x);
    }

    /** A padded mapping's estimate with the real work's points, accesses and energy (its cycles kept). */
    private static Estimate.EinsumEstimate real(Design d, Einsum e, Estimate.EinsumEstimate wide, Map<String, Long> sizes,
                                                Map<String, Long> padded) {
        Map<String, Set<String>> ranksOf = MappingValidator.tensorRanks(e);
        double pointShare = 1;
        for (String r : iterated(e)) {
            pointShare *= (double) sizes.get(r) / padded.get(r);
        }
        long points = scaled(wide.points(), pointShare);
        List<Estimate.Accesses> accesses = new ArrayList<>();
        for (Estimate.Accesses a : wide.accesses()) {
            double share = 1;
            for (String r : ranksOf.getOrDefault(a.tensor(), Set.of())) {
                share *= (double) sizes.get(r) / padded.get(r);
            }
            accesses.add(new Estimate.Accesses(a.level(), a.tensor(), scaled(a.reads(), share), scaled(a.writes(), share)));
        }
        Map<String, Double> energy = AnalyticalModel.energyPj(d.architecture(), e, wide.unit(), points, accesses);
        return new Estimate.EinsumEstimate(wide.output(), wide.unit(), points, wide.computeCycles(), wide.bandwidthCycles(),
            wide.cycles(), wide.utilization() * pointShare, List.copyOf(accesses), energy);
    }
}
