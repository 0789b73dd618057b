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
 * overlap completely); an unpipelined one the sum of its work, or its DRAM time if longer. A
 * work's time is its computes or its on-chip traffic, whichever is slower; its DRAM traffic
 * counts in the stage's. These are the FuseMax artifact's combination rules (REFERENCE.md):
 * FLAT's max(memory, 2D, 1D) is a pipelined stage, unfused's sum of max(memory, compute) over
 * QK, softmax and AV three stages, and FuseMax's chain of maxima equals its pipelined stage when
 * E = F. Where a tile's inputs cannot load while the tile before runs ({@link Schedule.Stage#tilesOverlap()}
 * false: FuseMax's 32K-query tiles from 64K tokens), the units wait for each tile's load, which is
 * added to the work (a few tenths of a percent for dense attention, most of a short sparse tile).
 * Pipeline fill and drain, and the waits a dependency forces, are the simulator's. So are a
 * controller's sequenced steps ({@code stepsInFlight} below {@code inFlight}): the closed form still
 * overlaps the units completely, a lower bound there (the RTL attention core's design: 9,216
 * cycles at 64 tokens against the simulator's 15,500 and the RTL's 15,529). A chain member on its
 * feeder's unit adds only the cycles its feeder's pass lacks ({@link Schedule.Stage#passCycles}).
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
        Map<String, Double> busyCycles = new LinkedHashMap<>();
        for (Schedule.Stage st : s.stages()) {
            if (st.group() >= 0) {
                onChip.put(st.group(), st.onChip());
            }
            Map<String, Long> perUnit = new LinkedHashMap<>();
            List<Report.WorkCycles> workCyclesList = new ArrayList<>();
            long sum = 0;
            long stageDram = st.loadWordsPerHead() * s.heads();
            for (Schedule.Work w : st.works()) {
                long runs = st.performedRunsPerHead(w) * s.heads();
                long charged = st.chargedPointsPerHead(w) * s.heads();
                Estimate.EinsumEstimate each = w.each();
                long dense = Math.multiplyExact(each.points(), runs);
                ActionCounts.Builder own = new ActionCounts.Builder();
                w.count(own, s.design().cascade(), runs, charged);
                ActionCounts ownCounts = own.build();
                actions.addAll(ownCounts);
                long words = Schedule.Work.share(each.wordsAt(dram.name()), runs, charged, dense);
                // A work streaming from a work on its own unit adds only the cycles its feeder's pass lacks.
                long perRun = st.passCycles(w, onChipCycles(each, dram.name()), f -> onChipCycles(f.each(), dram.name()));
                long workCycles = Math.multiplyExact(st.cyclesPerHead(w, perRun), s.heads());
                long timed = st.timedPointsPerHead(w) * s.heads();
                costs.add(new Report.EinsumCost(w.einsum(), w.unit(), workCycles,
                    accountant.price(ownCounts).totalPj(), words, timed));
                perUnit.merge(w.unit(), workCycles, Long::sum);
                workCyclesList.add(new Report.WorkCycles(w.einsum(), w.unit(), runs, perRun, workCycles,
                    st.ridesOn(w).stream().map(Schedule.Work::einsum).toList()));
                sum += workCycles;
                busyCycles.merge(w.unit(), dense == 0 ? 0 : each.busyCycles() * runs * ((double) timed / dense), Double::sum);
                stageDram += words;
            }
            for (Schedule.Load l : st.loads()) {
                l.count(actions, dram.name(), st.loadWordsPerHead(l) * s.heads());
            }
            for (Schedule.Spill sp : st.spills()) {
                sp.count(actions, dram.name(), sp.wordsPerTile() * st.tilesPerHead() * s.heads());
            }
            stageDram += st.spillWordsPerTile() * st.tilesPerHead() * s.heads();
            long dramCycles = (long) Math.ceil(stageDram / dram.bandwidthWordsPerCycle());
            long work = st.pipelined() ? perUnit.values().stream().mapToLong(Long::longValue).max().orElse(0) : sum;
            // Where the next tile's inputs cannot load while a tile runs, the units wait for each tile's.
            long waits = st.tilesOverlap() || st.tileStartWords() == 0 ? 0 : Math.multiplyExact(st.tilesPerHead(), s.heads());
            long perWait = (long) Math.ceil(st.tileStartWords() / dram.bandwidthWordsPerCycle());
            long stage = Math.max(work + Math.multiplyExact(waits, perWait), dramCycles);
            stageCycles.add(new Report.StageCycles(st.group(), st.pipelined(), List.copyOf(workCyclesList), perUnit, work,
                waits, perWait, stageDram, bandwidth, dram.bandwidthWordsPerCycle(), dramCycles, stage));
            cycles += stage;
        }
        Map<String, Double> utilization = new LinkedHashMap<>();
        for (ComputeArray u : arch.compute()) {
            double busy = busyCycles.getOrDefault(u.name(), 0.0);
            utilization.put(u.name(), cycles == 0 ? 0 : busy / cycles);
        }
        return Report.of(s, cycles, utilization, actions.build(),
            new Report.ClosedFormDetail(List.copyOf(stageCycles), List.copyOf(costs), onChip));
    }

    /**
     * A run's time on its unit: its computes, or an on-chip level's traffic if that is slower.
     * DRAM's share is the stage's (its words over the stage's time), so that one Einsum's memory
     * time overlaps another's compute as the stage allows.
     */
    private static long onChipCycles(Estimate.EinsumEstimate each, String dram) {
        long c = each.computeCycles();
        for (var b : each.bandwidthCycles().entrySet()) {
            if (!b.getKey().equals(dram)) {
                c = Math.max(c, b.getValue());
            }
        }
        return c;
    }

    private static Figure figure(StorageLevel level, String name) {
        return level.figures().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
