package cascade.sim.engine;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Session;
import cascade.einsum.exec.Tensors;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import cascade.traces.Timeline;
import java.util.Map;

/**
 * Timing with values: the simulation in full, every task of the first head computing its numbers
 * with the executor's kernels on seeded random inputs in the order the simulator places it, and
 * the output held against the executor's own run of the cascade. An ordering bug of the
 * simulator (a task placed before what it reads) shows as a wrong number.
 */
public final class TimingWithValues {
    /** The simulation's report and the largest relative error of its output against the executor's. */
    public record Result(Report report, double maxRelativeErrorVsExecutor) {
    }

    private TimingWithValues() {
    }

    /** About how many tasks a full simulation places: every work of every stage, per run, per head. */
    public static long tasksInFull(Schedule s) {
        return s.stages().stream().mapToLong(st -> st.works().size() * (st.runsPerHead(Schedule.Phase.STEPPED)
            + 2 * st.runsPerHead(Schedule.Phase.BEFORE))).sum() * s.heads();
    }

    /**
     * @param timeline where slices go, or null
     * @throws IllegalArgumentException where the executor cannot run the cascade one task at a time
     *                                  as the design splits it
     */
    public static Result run(Schedule s, long seed, Timeline timeline) {
        Map<String, Long> sizes = s.sizes();
        Map<String, float[]> inputs = Tensors.randomInputs(s.design().cascade(), sizes, seed);
        try (Session session = new Session(s.design().cascade(), sizes, inputs)) {
            Report r = Simulator.run(s, new Simulator.Options(false, timeline, session));
            Map<String, float[]> expected;
            try (Executor executor = new Executor(Runtime.getRuntime().availableProcessors())) {
                expected = executor.run(s.design().cascade(), sizes, inputs).outputs();
            }
            double error = 0;
            for (var out : expected.entrySet()) {
                error = Math.max(error, Tensors.maxRelativeError(session.outputs().get(out.getKey()), out.getValue()));
            }
            return new Result(r, error);
        }
    }
}
