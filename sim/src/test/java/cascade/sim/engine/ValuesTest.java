package cascade.sim.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.TensorDecl;
import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Session;
import cascade.einsum.exec.Tensors;
import cascade.hw.ArchitectureLoader;
import cascade.mappings.spec.Design;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Timing with values: the simulator computes each task's numbers with the executor's kernels in
 * the order it places the tasks (blocks interleaved across steps, several in flight), and the
 * output must equal the executor's own run. Every dense library cascade, at its check sizes,
 * queries tiled by 32 in blocks of 16 where the cascade has queries.
 */
class ValuesTest {
    @ParameterizedTest
    @ValueSource(strings = {"attention-3pass", "attention-2pass", "attention-1pass", "fusemax", "attention-mha",
        "attention-gqa", "attention-mqa", "attention-causal", "attention-decode", "streaming-llm", "linear-attention"})
    void simulatedValuesEqualTheExecutors(String name) {
        Cascade c = CascadeLibrary.load(name);
        Map<String, Long> sizes = c.sizes(CascadeLibrary.checkBindings(name));
        Map<String, Long> tile = c.ranks().containsKey("P") ? Map.of("P", 32L) : Map.of();
        Map<String, Long> block = c.ranks().containsKey("P") ? Map.of("P", 16L) : Map.of();
        Design d = Design.generic(c, ArchitectureLoader.preset("fusemax"), "GlobalBuffer", tile, block);
        check(d, CascadeLibrary.checkBindings(name), sizes);
    }

    /** The FuseMax preset itself: 1D and 2D tasks of different blocks interleave, 8 blocks in flight. */
    @Test
    void fusemaxPresetWithValues() {
        Map<String, Long> bind = Map.of("P", 1024L, "M", 1024L, "E", 32L, "F", 32L);
        Design d = Design.preset("fusemax");
        check(d, bind, d.cascade().sizes(bind));
    }

    /**
     * Masked cascades on the FuseMax preset skip the runs nothing needs (a block's chunks beyond its
     * queries, under causal and window masks): a skipped step must leave every block's state as it was,
     * so the outputs still equal the executor's dense run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"attention-causal", "streaming-llm"})
    void skippedRunsLeaveTheOutputsAsTheDenseRunHasThem(String name) {
        Map<String, Long> bind = Map.of("P", 1024L, "M", 1024L, "E", 32L, "F", 32L);
        Design d = Design.preset("fusemax").withCascade(CascadeLibrary.load(name));
        Schedule s = Lowering.withMapper(4, 100).lower(d, bind, 1);
        assertTrue(s.stages().stream().anyMatch(st -> st.occupancy() != null
            && st.occupancy().performedRunsPerHead() < st.tilesPerHead() * st.blocks() * st.steps()), "nothing skipped");
        check(d, bind, d.cascade().sizes(bind));
    }

    private static void check(Design d, Map<String, Long> bind, Map<String, Long> sizes) {
        Cascade c = d.cascade();
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 7);
        Map<String, float[]> expected;
        try (Executor ex = new Executor(1)) {
            expected = ex.run(c, sizes, in).outputs();
        }
        Schedule s = Lowering.withMapper(4, 100).lower(d, bind, 1);
        try (Session values = new Session(c, sizes, in)) {
            Report r = Simulator.run(s, new Simulator.Options(false, null, values));
            assertTrue(r.cycles() > 0);
            for (TensorDecl t : c.outputs()) {
                double err = Tensors.maxRelativeError(values.outputs().get(t.name()), expected.get(t.name()));
                assertTrue(err <= 1e-5, d.name() + " " + t.name() + ": relative error " + err);
            }
        }
    }
}
