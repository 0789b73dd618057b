package cascade.sim.cli;

import cascade.hw.ComputeArray;
import cascade.mappings.model.Report;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON of a {@link Report} (estimate, sim, compare): the common figures, then what the model alone knows. */
final class Reports {
    private Reports() {
    }

    static Map<String, Object> of(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cycles", r.cycles());
        m.put("seconds", r.seconds());
        m.put("energyPj", r.energyPj());
        m.put("dramBytes", r.dramBytes());
        m.put("dramBytesByTensor", r.dramBytesByTensor());
        m.put("util2d", r.utilization(ComputeArray.Kind.ARRAY_2D));
        m.put("util1d", r.utilization(ComputeArray.Kind.ARRAY_1D));
        m.put("utilization", r.utilization());
        m.put("energyByComponentPj", r.energyByComponentPj());
        switch (r.detail()) {
            case Report.ClosedFormDetail c -> {
                m.put("groupsOnChip", c.groupsOnChip());
                m.put("einsums", c.einsums());
            }
            case Report.SimulationDetail s -> {
                m.put("energyByTensorPj", r.energyByTensorPj());
                m.put("units", s.units());
                m.put("wordsByLevel", r.wordsByLevel());
                m.put("runsByEinsum", s.runsByEinsum());
                m.put("simulatedTasks", s.simulatedTasks());
                m.put("skippedTasks", s.skippedTasks());
                m.put("operations", s.operations());
            }
        }
        return m;
    }
}
