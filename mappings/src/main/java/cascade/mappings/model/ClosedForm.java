package cascade.mappings.model;

import cascade.mappings.lowering.Schedule;

import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.Figure;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The closed-form cost of a {@link Schedule}. Heads (and batch) run one after another. A
 * pipelined stage takes the longest of its units' summed work and its DRAM transfer time (units
 * overlap completely); an unpipelined one the sum of its work, or its DRAM time if longer.
 * Pipeline fill and drain, and the waits a dependency forces, are the simulator's.
 */
public final class ClosedForm implements CostModel {
    public static final ClosedForm INSTANCE = new ClosedForm();

    private ClosedForm() {
    }

    @Override
    public Report cost(Schedule s) {
        Architecture arch = s.design().architecture();
        StorageLevel dram = arch.storage().getFirst();
        EnergyAccountant accountant = new EnergyAccountant(arch);
        ActionCounts.Builder actions = new ActionCounts.Builder();
        List<Report.EinsumCost> costs = new ArrayList<>();
        List<Report.StageCycles> stageCycles = new ArrayList<>();
        Map<Integer, Boolean> onChip = new LinkedHashMap<>();
        Figure bandwidth = figure(dram, dram.name() + ".bandwidth");
        long cycles = 0;
        for (Schedule.Stage st : s.stages()) {
            if (st.group() >= 0) {
                onChip.put(st.group(), st.onChip());
            }
            Map<String, Long> perUnit = new LinkedHashMap<>();
            List<Report.WorkCycles> workCycles = new ArrayList<>();
            long sum = 0;
            long stageDram = st.loadWordsPerHead() * s.heads();
            for (Schedule.Work w : st.works()) {
                long runs = st.runsPerHead(w.phase()) * s.heads();
                Estimate.EinsumEstimate each = w.each();
                ActionCounts.Builder own = new ActionCounts.Builder();
                w.count(own, s.design().cascade(), runs);
                ActionCounts ownCounts = own.build();
                actions.addAll(ownCounts);
                long words = each.wordsAt(dram.name()) * runs;
                costs.add(new Report.EinsumCost(w.einsum(), w.unit(), each.cycles() * runs,
                    accountant.price(ownCounts).totalPj(), words, each.points() * runs));
                perUnit.merge(w.unit(), each.cycles() * runs, Long::sum);
                workCycles.add(new Report.WorkCycles(w.einsum(), w.unit(), runs, each.cycles()));
                sum += each.cycles() * runs;
                stageDram += words;
            }
            for (Schedule.Load l : st.loads()) {
                l.count(actions, dram.name(), l.wordsPerTile() * st.tilesPerHead() * s.heads());
            }
            long dramCycles = (long) Math.ceil(stageDram / dram.bandwidthWordsPerCycle());
            long work = st.pipelined() ? perUnit.values().stream().mapToLong(Long::longValue).max().orElse(0) : sum;
            long stage = Math.max(work, dramCycles);
            stageCycles.add(new Report.StageCycles(st.group(), st.pipelined(), List.copyOf(workCycles), perUnit, work,
                stageDram, bandwidth, dram.bandwidthWordsPerCycle(), dramCycles, stage));
            cycles += stage;
        }
        Map<String, Double> utilization = new LinkedHashMap<>();
        for (ComputeArray u : arch.compute()) {
            double busy = costs.stream().filter(x -> x.unit().equals(u.name())).mapToDouble(x -> (double) x.points() / u.pes()).sum();
            utilization.put(u.name(), cycles == 0 ? 0 : busy / cycles);
        }
        return Report.of(s, cycles, utilization, actions.build(),
            new Report.ClosedFormDetail(List.copyOf(stageCycles), List.copyOf(costs), onChip));
    }

    private static Figure figure(StorageLevel level, String name) {
        return level.figures().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
