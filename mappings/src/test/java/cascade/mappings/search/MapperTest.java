package cascade.mappings.search;

import cascade.mappings.model.AnalyticalModelTest;
import cascade.mappings.spec.MappingValidatorTest;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MapperTest {
    static Cascade gemm(int m, int n, int k) {
        return Cascade.parse("gemm.cas", """
            cascade gemm
            rank M = %d, N = %d, K = %d
            input  A[m,k] : fp32
            input  B[k,n] : fp32
            output C[m,n] : fp32
            C[m,n] = sum_k A[m,k] * B[k,n]
            """.formatted(m, n, k));
    }

    static void assertValid(Mapper.Result r, Cascade c, Architecture a) {
        assertFalse(r.best().isEmpty(), "no mapping found");
        for (Mapper.Ranked ranked : r.best()) {
            Mapping m = new Mapping("found", "<mapper>", List.of(ranked.mapping()));
            MappingValidator.validate(m, c, c.sizes(Map.of()), a); // throws if the mapper returned an invalid mapping
        }
    }

    @Test
    void exhaustiveSearchReturnsValidMappingsBestFirst() {
        Cascade c = gemm(4, 4, 4);
        Architecture a = AnalyticalModelTest.ARCH;
        Mapper.Result r = new Mapper(c, c.sizes(Map.of()), a, "C", "PE", Mapper.Objective.CYCLES)
            .search(new Mapper.Exhaustive(), 2, 5);
        assertValid(r, c, a);
        assertTrue(r.evaluated() > 1000, "evaluated " + r.evaluated());
        for (int i = 1; i < r.best().size(); i++) {
            assertTrue(r.best().get(i - 1).score() <= r.best().get(i).score());
        }
        // 64 MACs over 16 PEs need at least 4 cycles.
        assertTrue(r.best().getFirst().score() >= 4);
    }

    @Test
    void randomSearchFindsTheExhaustiveOptimumOnASmallProblem() {
        assertFindsTheOptimum(gemm(4, 4, 4), Mapper.Objective.EDP, new Mapper.Random(20_000, 7));
    }

    @Test
    void localSearchFindsTheExhaustiveOptimumOnASmallProblem() {
        assertFindsTheOptimum(gemm(4, 8, 4), Mapper.Objective.CYCLES, new Mapper.LocalSearch(40, 400, 3));
    }

    private static void assertFindsTheOptimum(Cascade c, Mapper.Objective objective, Mapper.Strategy strategy) {
        Architecture a = AnalyticalModelTest.ARCH;
        Mapper mapper = new Mapper(c, c.sizes(Map.of()), a, "C", "PE", objective);
        double optimum = mapper.search(new Mapper.Exhaustive(), 2, 1).best().getFirst().score();
        Mapper.Result found = mapper.search(strategy, 2, 3);
        assertEquals(optimum, found.best().getFirst().score(), 1e-9);
        assertValid(found, c, a);
    }

    @Test
    void randomSearchIsReproducible() {
        Cascade c = gemm(8, 8, 8);
        Mapper mapper = new Mapper(c, c.sizes(Map.of()), AnalyticalModelTest.ARCH, "C", "PE", Mapper.Objective.ENERGY);
        Mapper.Result first = mapper.search(new Mapper.Random(3_000, 11), 2, 3);
        Mapper.Result again = mapper.search(new Mapper.Random(3_000, 11), 2, 3);
        assertEquals(first.best().stream().map(Mapper.Ranked::score).toList(),
            again.best().stream().map(Mapper.Ranked::score).toList());
        assertEquals(first.evaluated() + first.skipped(), 3_000);
    }

    /** The mapper scores with the compiled model; the analytical model must say the same of every mapping kept. */
    @Test
    void compiledScoresAgreeWithTheAnalyticalModel() {
        Cascade c = gemm(12, 8, 16);
        for (Mapper.Objective objective : Mapper.Objective.values()) {
            Mapper.Result r = new Mapper(c, c.sizes(Map.of()), AnalyticalModelTest.ARCH, "C", "PE", objective)
                .search(new Mapper.Random(20_000, 5), 1, 300);
            assertTrue(r.best().size() > 100, "kept " + r.best().size());
            for (Mapper.Ranked ranked : r.best()) {
                double energy = ranked.estimate().totalEnergyPj();
                double expected = switch (objective) {
                    case CYCLES -> ranked.estimate().cycles();
                    case ENERGY -> energy;
                    case EDP -> energy * ranked.estimate().cycles();
                    case DELAY_THEN_ENERGY -> ranked.estimate().cycles() + energy / (energy + 12 * 8 * 16);
                };
                assertEquals(expected, ranked.score(), Math.abs(expected) * 1e-12, objective + " " + ranked.mapping());
            }
        }
    }

    /**
     * The mapper searches with any candidate model: scored by the full analytical model instead of
     * its compiled form, the same search (same seed, same space) keeps the same mappings in the
     * same order with the same scores; and a strategy written outside the mapper walks the space.
     */
    @Test
    void anyCandidateModelAndAnyStrategyDriveTheSearch() {
        Cascade c = gemm(8, 4, 8);
        Mapper compiled = new Mapper(c, c.sizes(Map.of()), AnalyticalModelTest.ARCH, "C", "PE", Mapper.Objective.EDP,
            Map.of(), Mapper.COMPILED);
        Mapper analytical = new Mapper(c, c.sizes(Map.of()), AnalyticalModelTest.ARCH, "C", "PE", Mapper.Objective.EDP,
            Map.of(), Mapper.ANALYTICAL);
        Mapper.Result a = compiled.search(new Mapper.Random(3_000, 11), 1, 20);
        Mapper.Result b = analytical.search(new Mapper.Random(3_000, 11), 1, 20);
        assertEquals(a.best().stream().map(Mapper.Ranked::mapping).toList(),
            b.best().stream().map(Mapper.Ranked::mapping).toList());
        for (int i = 0; i < a.best().size(); i++) {
            assertEquals(a.best().get(i).score(), b.best().get(i).score(), 1e-9 * a.best().get(i).score());
        }
        assertEquals(a.evaluated(), b.evaluated());
        // A strategy of its own: the first 50 random candidates of one worker, never more.
        Mapper.Strategy fifty = (space, worker, threads) -> {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(worker);
            for (int i = 0; i < 50; i++) {
                long[][] f = space.draw(rnd);
                space.offer(f, space.shuffledOrders(f, rnd));
            }
        };
        Mapper.Result own = compiled.search(fifty, 1, 5);
        assertEquals(50, own.evaluated() + own.skipped());
        assertValid(own, c, AnalyticalModelTest.ARCH);
    }

    /** Property: over random arrays, buffers and GEMM shapes, every mapping returned is valid. */
    @Test
    void neverReturnsAnInvalidMapping() {
        SplittableRandom rnd = new SplittableRandom(2026);
        for (int trial = 0; trial < 25; trial++) {
            int rows = 1 << rnd.nextInt(4);
            int cols = 1 << rnd.nextInt(4);
            int buffer = 24 + rnd.nextInt(400);
            int rf = 3 + rnd.nextInt(6);
            Architecture a = ArchitectureLoader.parse("random.yaml", MappingValidatorTest.TINY_TEXT
                .replace("capacity: 192 words", "capacity: " + buffer + " words")
                .replace("capacity: 4 words", "capacity: " + rf + " words")
                .replace("instances: 16", "instances: " + rows * cols)
                .replace("rows: 4", "rows: " + rows).replace("cols: 4", "cols: " + cols));
            int[] dims = {2, 3, 4, 6, 8, 12, 16};
            Cascade c = gemm(dims[rnd.nextInt(dims.length)], dims[rnd.nextInt(dims.length)], dims[rnd.nextInt(dims.length)]);
            Mapper.Result r = new Mapper(c, c.sizes(Map.of()), a, "C", "PE", Mapper.Objective.EDP)
                .search(new Mapper.Random(1_500, trial), 2, 4);
            assertValid(r, c, a);
        }
    }

    /**
     * Constraints cut the space and nothing else: exhaustively, every mapping kept has the fixed
     * factors where they were fixed and the pinned loops innermost, the space is the free part's
     * size, and the best of it is the best of the unconstrained mappings that obey the same rules.
     */
    @Test
    void constraintsFixFactorsAndInnermostLoops() {
        Cascade c = gemm(4, 8, 4);
        Architecture a = AnalyticalModelTest.ARCH;
        List<String> path = a.pathTo(a.compute("PE").under());
        String outer = path.getFirst();
        String inner = path.getLast();
        Mapper.Constraints fixed = new Mapper.Constraints(Map.of(outer, Map.of("K", 2L)), Map.of("N", 2L), Map.of(),
            Map.of(outer, List.of("M", "N")));
        Mapper constrained = new Mapper(c, c.sizes(Map.of()), a, "C", "PE", Mapper.Objective.EDP, Map.of(),
            Mapper.COMPILED, fixed);
        Mapper.Result r = constrained.search(new Mapper.Exhaustive(), 1, 100_000);
        assertValid(r, c, a);
        double best = Double.POSITIVE_INFINITY;
        for (Mapper.Ranked ranked : r.best()) {
            Mapping.LevelLoops top = ranked.mapping().levels().getFirst();
            assertEquals(outer, top.level());
            assertEquals(2, top.temporal().stream().filter(l -> l.rank().equals("k")).mapToLong(Mapping.Loop::factor)
                .reduce(1, (x, y) -> x * y), ranked.mapping().toString());
            List<String> order = top.temporal().stream().map(Mapping.Loop::rank).toList();
            // M and N, where present, are the innermost loops, N outside M ([M, N] is innermost first).
            List<String> pinned = order.stream().filter(x -> x.equals("m") || x.equals("n")).toList();
            assertEquals(pinned, order.subList(order.size() - pinned.size(), order.size()), order.toString());
            if (pinned.size() == 2) {
                assertEquals(List.of("n", "m"), pinned);
            }
            long rowsN = ranked.mapping().levels().stream().flatMap(l -> l.spatialRows().stream())
                .filter(l -> l.rank().equals("n")).mapToLong(Mapping.Loop::factor).reduce(1, (x, y) -> x * y);
            assertEquals(2, rowsN, ranked.mapping().toString());
            best = Math.min(best, ranked.score());
        }
        assertEquals(r.best().getFirst().score(), best);
        // A constraint whose factors cannot divide the rank is refused before searching.
        assertEquals("the constraints' factors of K multiply to 8, which does not divide K is 4",
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Mapper(c,
                c.sizes(Map.of()), a, "C", "PE", Mapper.Objective.EDP, Map.of(), Mapper.COMPILED, new Mapper.Constraints(
                    Map.of(outer, Map.of("K", 8L)), Map.of(), Map.of(), Map.of()))).getMessage());
        assertTrue(inner != null);
    }

    /**
     * [delay, energy] breaks ties of delay by energy at a real layer's scale — 10^6 cycles and
     * 8 x 10^9 pJ, energies a millionth apart — where energy / (energy + 1) rounded to 1 and broke
     * no tie: the best kept is the candidate of least energy among those of least delay.
     */
    @Test
    void delayThenEnergyBreaksTiesAtALayersScale() {
        Cascade c = gemm(2048, 1024, 1024);
        double points = 2048.0 * 1024 * 1024;
        Map<String, Double> energyOf = new java.util.concurrent.ConcurrentHashMap<>();
        Mapper.CandidateModels tied = m -> (factors, orders) -> {
            long h = java.util.Arrays.deepHashCode(factors) * 31L + java.util.Arrays.deepHashCode(orders);
            double energy = points * 3.7 * (1 + 1e-6 * Math.floorMod(h, 1000));
            energyOf.put(m.mappingOf(factors, orders).toString(), energy);
            return new Mapper.CandidateModel.Cost(1_000_000, energy, true);
        };
        Mapper mapper = new Mapper(c, c.sizes(Map.of()), AnalyticalModelTest.ARCH, "C", "PE",
            Mapper.Objective.DELAY_THEN_ENERGY, Map.of(), tied);
        Mapper.Result r = mapper.search(new Mapper.Random(400, 5), 1, 1);
        double least = energyOf.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(energyOf.values().stream().distinct().count() > 100, "the candidates' energies differ");
        assertEquals(least, energyOf.get(r.best().getFirst().mapping().toString()));
    }
}
