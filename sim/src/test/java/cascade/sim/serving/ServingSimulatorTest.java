package cascade.sim.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.hw.Device;
import cascade.mappings.offload.Offload;
import cascade.mappings.spec.ModelShape;
import cascade.traces.RequestTrace;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Acceptance 2: every request finishes exactly once with its output length, KV pressure or not. */
class ServingSimulatorTest {
    @Test
    void requestsAreConservedUnderKvPressure() {
        Offload o = new Offload(ModelShape.of("llama-2-70b"), Device.preset("h100"), Device.preset("h20"),
            Device.link("rdma200"));
        long preempted = 0;
        for (int seed = 1; seed <= 12; seed++) {
            // One memory device holds ~264K tokens; long requests at a big batch overfill it.
            Offload.Placement p = seed % 3 == 0 ? new Offload.Placement(3, 0, 64) : new Offload.Placement(2, 1, 96);
            ServingSimulator sim = new ServingSimulator(o, p);
            long capacity = sim.kvCapacityTokens();
            RequestTrace t = RequestTrace.generate(150, 40, 1 + seed % 3, 4000, 800, 0.8,
                (int) Math.min(12000, capacity / 2 - 1), seed);
            ServingSimulator.Result r = sim.run(t);
            assertArrayEquals(IntStream.range(0, 150).toArray(), ServingSimulator.ids(r), "each request once");
            for (ServingSimulator.Finished f : r.finished()) {
                assertEquals(t.requests().get(f.id()).outputTokens(), f.tokens(), "request " + f.id());
                assertTrue(f.finish() >= f.firstToken() && f.firstToken() >= f.arrival(), f.toString());
            }
            assertEquals(t.requests().stream().mapToLong(RequestTrace.Request::outputTokens).sum(), r.tokens());
            preempted += r.preemptions();
        }
        assertTrue(preempted > 0, "the traces must have put the KV cache under pressure");
    }
}
