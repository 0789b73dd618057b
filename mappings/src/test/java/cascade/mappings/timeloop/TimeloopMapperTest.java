package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.mappings.search.Mapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            TimeloopReader.objective("m.yaml", Files.readString(EX.resolve("mapper/exhaustive.mapper.yaml"))), strategy, 1);
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
