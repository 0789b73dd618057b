package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.mappings.search.Mapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, the mapper on exercise 05's three constraint sets. Timeloop's reference mappings for
 * them are not in shared/, so what is checked is what follows from the exercise's own statements:
 * the fully constrained space is the one mapping of exercise 03, the free-bypass space has 2^6 =
 * 64 points (the constraint file says so), a larger space never yields a worse best, and the
 * mapping written out reads back to the same figures.
 */
class TimeloopMapperTest {
    private static final Path EX = TimeloopExercisesTest.exercises().resolve("05-mapper-conv1d+oc-3level");

    static TimeloopReader.Inputs inputs() throws IOException {
        return TimeloopReader.parse("arch.yaml", Files.readString(EX.resolve("arch/3level.arch.yaml")), "prob.yaml",
            Files.readString(EX.resolve("prob/conv1d+oc.prob.yaml")), null, null, "ert.yaml",
            Files.readString(EX.resolve("ref-output/baked/timeloop-mapper.ERT.yaml")));
    }

    static TimeloopMapper.Result search(String constraints, Mapper.Strategy strategy) throws IOException {
        TimeloopReader.Inputs in = inputs();
        return TimeloopMapper.search(in, TimeloopReader.mapSpace("arch.yaml",
            Files.readString(EX.resolve("arch/3level.arch.yaml")), "c.yaml",
            Files.readString(EX.resolve("constraints").resolve(constraints)), in),
            TimeloopReader.mapperSettings("m.yaml", Files.readString(EX.resolve("mapper/exhaustive.mapper.yaml"))).objective(),
            strategy, 1);
    }

    @Test
    void theConstrainedSpacesNestAndTheBestReadsBack() throws IOException {
        TimeloopMapper.Result one = search("conv1d+oc-3level-1mapping.constraints.yaml", new Mapper.LocalSearch(4, 50, 1));
        assertEquals(1, one.keepChoices());
        // The degenerate space is exercise 03's mapping without bypass, run through the model.
        Path ex03 = TimeloopExercisesTest.exercises().resolve("03-model-conv1d+oc-3level");
        TimeloopModel.Stats direct = TimeloopModel.run(TimeloopReader.parse("arch.yaml",
            Files.readString(EX.resolve("arch/3level.arch.yaml")), "prob.yaml",
            Files.readString(EX.resolve("prob/conv1d+oc.prob.yaml")), "map.yaml",
            Files.readString(ex03.resolve("map/conv1d+oc-3level.map.yaml")), "ert.yaml",
            Files.readString(EX.resolve("ref-output/baked/timeloop-mapper.ERT.yaml"))));
        assertEquals(direct.cycles(), one.stats().cycles());
        assertEquals(direct.energyPj(), one.stats().energyPj(), 1e-9 * direct.energyPj());
        assertEquals(direct.levels(), one.stats().levels());

        TimeloopMapper.Result bypass = search("conv1d+oc-3level-freebypass.constraints.yaml",
            new Mapper.LocalSearch(4, 50, 1));
        assertEquals(64, bypass.keepChoices());
        assertTrue(bypass.score() <= one.score(), bypass.score() + " > " + one.score());

        TimeloopMapper.Result free = search("null.constraints.yaml", new Mapper.LocalSearch(12, 300, 1));
        assertEquals(64, free.keepChoices());
        assertTrue(free.stats().cycles() >= 1536, "48·32 MACs on one MAC take at least 1,536 cycles");

        // The best mapping, written as Timeloop's mapping file, reads back to the same figures.
        TimeloopReader.Inputs in = inputs();
        String written = TimeloopWriter.mapping(free.best(), new ArrayList<>(in.cascade().producer(in.einsum())
            .iterationRanks()), in.cascade().tensors().keySet());
        TimeloopModel.Stats back = TimeloopModel.run(TimeloopReader.parse("arch.yaml",
            Files.readString(EX.resolve("arch/3level.arch.yaml")), "prob.yaml",
            Files.readString(EX.resolve("prob/conv1d+oc.prob.yaml")), "best.map.yaml", written, "ert.yaml",
            Files.readString(EX.resolve("ref-output/baked/timeloop-mapper.ERT.yaml"))));
        assertEquals(free.stats().levels(), back.levels(), written);
        assertEquals(free.stats().cycles(), back.cycles());
    }

    /**
     * Issue 14, acceptance 2 on exercise 05: the mapper file asks for linear_pruned, which Cascade
     * runs as an enumeration of every mapping, so the best is the space's optimum under Timeloop's
     * counting (which the tutorial runs and {@link TimeloopNestOracleTest} hold) and no search,
     * Timeloop's included, can find a better one. That the whole space was looked at is counted
     * independently: per keep choice, every split of K = 32, P = 16 and R = 3 over the three
     * levels' temporal loops (the single MAC has no rows or columns to spread over) with every
     * order of each level's loops of factor above 1.
     */
    @Test
    void linearPrunedEnumeratesTheWholeSpaceAndBeatsTheLocalSearch() throws IOException {
        assertTrue(TimeloopReader.mapperSettings("m.yaml", Files.readString(EX.resolve("mapper/exhaustive.mapper.yaml")))
            .exhaustive(), "exercise 05's mapper file asks for linear_pruned");
        TimeloopMapper.Result every = search("null.constraints.yaml", new Mapper.Exhaustive());
        long orders = 0;
        for (long[] k : splits(32, 3)) {
            for (long[] p : splits(16, 3)) {
                for (long[] r : splits(3, 3)) {
                    long product = 1;
                    for (int level = 0; level < 3; level++) {
                        int loops = (k[level] > 1 ? 1 : 0) + (p[level] > 1 ? 1 : 0) + (r[level] > 1 ? 1 : 0);
                        product *= loops == 3 ? 6 : loops == 2 ? 2 : 1;
                    }
                    orders += product;
                }
            }
        }
        assertEquals(64 * orders, every.evaluated() + every.skipped(), "every mapping of every keep choice");
        TimeloopMapper.Result local = search("null.constraints.yaml", new Mapper.LocalSearch(12, 300, 1));
        assertTrue(every.score() <= local.score(), every.score() + " > " + local.score());
        assertEquals(1536, every.stats().cycles(), "48·32 MACs on one MAC");
    }

    /** Every way to write {@code n} as a product of {@code slots} ordered factors. */
    private static List<long[]> splits(long n, int slots) {
        List<long[]> out = new ArrayList<>();
        if (slots == 1) {
            out.add(new long[] {n});
            return out;
        }
        for (long a = 1; a <= n; a++) {
            if (n % a == 0) {
                for (long[] rest : splits(n / a, slots - 1)) {
                    long[] split = new long[slots];
                    split[0] = a;
                    System.arraycopy(rest, 0, split, 1, rest.length);
                    out.add(split);
                }
            }
        }
        return out;
    }

    /**
     * {@code multiple_buffering: N} leaves a tile depth / N of a level (the rest holds the next
     * tiles): exercise 03's mapping keeps 11 words in the 64-word register file (6 weights, 3
     * inputs and 2 outputs a tile), so it fits at N = 4 (16 words) and not at N = 8 (8 words),
     * where the one-mapping space has nothing that fits.
     */
    @Test
    void multipleBufferingLeavesATileItsShareOfTheLevel() throws IOException {
        String arch = Files.readString(EX.resolve("arch/3level.arch.yaml"));
        String constraints = Files.readString(EX.resolve("constraints/conv1d+oc-3level-1mapping.constraints.yaml"));
        for (int buffers : new int[] {1, 4, 8}) {
            String buffered = arch.replace("      depth: 64\n", "      depth: 64\n      multiple_buffering: " + buffers + "\n");
            TimeloopReader.Inputs in = TimeloopReader.parse("arch.yaml", buffered, "prob.yaml",
                Files.readString(EX.resolve("prob/conv1d+oc.prob.yaml")), null, null, "ert.yaml",
                Files.readString(EX.resolve("ref-output/baked/timeloop-mapper.ERT.yaml")));
            assertEquals(64.0 / buffers, in.architecture().storage("RegisterFile").capacityWords(), "tile room");
            TimeloopReader.MapSpace space = TimeloopReader.mapSpace("arch.yaml", buffered, "c.yaml", constraints, in);
            if (buffers < 8) {
                TimeloopMapper.Result r = TimeloopMapper.search(in, space, Mapper.Objective.DELAY_THEN_ENERGY,
                    new Mapper.Exhaustive(), 1);
                long held = r.stats().levels().get("RegisterFile").tensors().values().stream()
                    .mapToLong(TimeloopModel.TensorStats::utilizedCapacity).sum();
                assertTrue(held <= 64 / buffers, held + " words");
            } else {
                IllegalArgumentException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> TimeloopMapper.search(in, space, Mapper.Objective.DELAY_THEN_ENERGY, new Mapper.Exhaustive(), 1));
                assertTrue(x.getMessage().contains("no mapping in the space fits"), x.getMessage());
            }
        }
    }

    @Test
    void aFileWithoutConstraintsIsRefusedByName() throws IOException {
        cascade.einsum.InvalidInputException x = org.junit.jupiter.api.Assertions.assertThrows(
            cascade.einsum.InvalidInputException.class, () -> TimeloopReader.mapSpace("arch.yaml",
                Files.readString(EX.resolve("arch/3level.arch.yaml")), "c.yaml",
                Files.readString(EX.resolve("arch/3level.arch.yaml")), inputs()));
        assertTrue(x.getMessage().startsWith("c.yaml:1:1: no 'mapspace_constraints' (or 'architecture_constraints') "
            + "section"), x.getMessage());
    }
}
