package cascade.sim.cli;

import cascade.mappings.DesignEstimator;
import cascade.sim.engine.Simulator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one report schema the analytical model and the simulator share (estimate, sim, compare, demo). */
final class Reports {
    private Reports() {
    }

    static Map<String, Object> of(DesignEstimator.Result r) {
        Map<String, Object> m = common(r.cycles(), r.seconds(), r.energyPj(), r.dramBytes(), r.utilization());
        m.put("energyByComponentPj", r.energyByComponentPj());
        m.put("groupsOnChip", r.groupsOnChip());
        m.put("einsums", r.einsums());
        return m;
    }

    static Map<String, Object> of(Simulator.Result r) {
        Map<String, Object> m = common(r.cycles(), r.seconds(), r.energyPj(), r.dramBytes(), r.utilization());
        m.put("energyByComponentPj", r.energyByComponentPj());
        m.put("energyByTensorPj", r.energyByTensorPj());
        m.put("units", r.units());
        m.put("wordsByLevel", r.wordsByLevel());
        m.put("runsByEinsum", r.runsByEinsum());
        m.put("simulatedTasks", r.simulatedTasks());
        m.put("skippedTasks", r.skippedTasks());
        m.put("operations", r.operations());
        return m;
    }

    private static Map<String, Object> common(long cycles, double seconds, double energyPj, long dramBytes,
                                              Map<String, Double> utilization) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cycles", cycles);
        m.put("seconds", seconds);
        m.put("energyPj", energyPj);
        m.put("dramBytes", dramBytes);
        m.put("util2d", utilization.getOrDefault("PE2D", 0.0));
        m.put("util1d", utilization.getOrDefault("PE1D", 0.0));
        m.put("utilization", utilization);
        return m;
    }
}
