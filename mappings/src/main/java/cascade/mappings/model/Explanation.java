package cascade.mappings.model;

import cascade.hw.EnergyAccountant;
import cascade.hw.Figure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where one figure of a {@link Report} comes from: parts that add up to it, each a count times
 * a per-action figure (an energy per word or per operation, a bandwidth, a clock) with that
 * figure's source. {@code --explain} prints one.
 */
public record Explanation(String figure, double value, String unit, String rule, List<Part> parts) {

    /** {@code count × each = value}, {@code entry} the architecture figure behind {@code each} (null where none). */
    public record Part(String label, double count, double each, String eachUnit, Figure entry, double value) {
    }

    /** The figures {@link #of} explains, for a message naming them. */
    public static List<String> figures(Report r) {
        List<String> out = new ArrayList<>(List.of("cycles", "seconds", "energy"));
        r.energyByComponentPj().keySet().forEach(c -> out.add("energy." + c));
        return out;
    }

    /** The explanation of {@code figure}, or null when the report has no such figure. */
    public static Explanation of(Report r, String figure) {
        if (figure.equals("energy")) {
            List<Part> parts = new ArrayList<>();
            r.energyByComponentPj().forEach((c, pj) -> parts.add(new Part("energy." + c, 1, pj, "pJ", null, pj)));
            return new Explanation(figure, r.energyPj(), "pJ", "the sum of the components' energy (explain each as energy.NAME)",
                parts);
        }
        if (figure.startsWith("energy.")) {
            String component = figure.substring("energy.".length());
            if (!r.energyByComponentPj().containsKey(component)) {
                return null;
            }
            List<Part> parts = new ArrayList<>();
            for (EnergyAccountant.Line l : r.energy().linesOf(component)) {
                parts.add(new Part(l.action().action() + " " + l.action().tensor(), l.count(), l.pjEach(),
                    "pJ/" + (l.action().action().equals("read") || l.action().action().equals("write") ? "word" : "op"),
                    l.entry(), l.pj()));
            }
            return new Explanation(figure, r.energyByComponentPj().get(component), "pJ",
                "action counts × the architecture's energy per action", parts);
        }
        if (figure.equals("seconds")) {
            return new Explanation(figure, r.seconds(), "s", "cycles / clock",
                List.of(new Part("cycles", r.cycles(), r.cycles() == 0 ? 0 : r.seconds() / r.cycles(), "s/cycle", r.clock(),
                    r.seconds())));
        }
        if (figure.equals("cycles")) {
            return cycles(r);
        }
        return null;
    }

    private static Explanation cycles(Report r) {
        List<Part> parts = new ArrayList<>();
        return switch (r.detail()) {
            case Report.ClosedFormDetail c -> {
                for (Report.StageCycles st : c.stages()) {
                    String stage = "stage " + (st.group() < 0 ? "(ungrouped)" : st.group());
                    if (st.dramCycles() > st.workCycles() + st.tileWaits() * st.cyclesPerTileWait()) {
                        parts.add(new Part(stage + ", DRAM-bound: DRAM words / bandwidth", st.dramWords(),
                            1 / st.dramWordsPerCycle(), "cycles/word", st.dramBandwidth(), st.cycles()));
                        continue;
                    }
                    // Compute-bound: a pipelined stage takes its busiest unit's work, an unpipelined one everything's.
                    String busiest = st.unitCycles().entrySet().stream().max(Map.Entry.comparingByValue())
                        .map(Map.Entry::getKey).orElse(null);
                    for (Report.WorkCycles w : st.works()) {
                        if (!st.pipelined() || w.unit().equals(busiest)) {
                            parts.add(new Part(stage + (st.pipelined() ? " (pipelined, busiest unit " + busiest + ")" : "")
                                + ": " + w.einsum() + " on " + w.unit() + ", runs × cycles per run"
                                + (w.inPassOf().isEmpty() ? "" : " (in " + String.join(", ", w.inPassOf())
                                    + "'s pass: only what it lacks)")
                                + (w.cycles() == w.runs() * w.cyclesPerRun() ? "" : " (mean: ineffectual points skipped)"),
                                w.runs(), w.runs() == 0 ? 0 : (double) w.cycles() / w.runs(), "cycles/run", null,
                                (double) w.cycles()));
                        }
                    }
                    if (st.tileWaits() > 0) {
                        parts.add(new Part(stage + ": tiles waiting for their inputs (no room to load the next early), "
                            + "tiles × DRAM cycles of a tile's inputs", st.tileWaits(), st.cyclesPerTileWait(), "cycles/tile",
                            st.dramBandwidth(), (double) st.tileWaits() * st.cyclesPerTileWait()));
                    }
                }
                yield new Explanation("cycles", r.cycles(), "cycles",
                    "closed form: the sum over stages of max(work + tile waits, DRAM words / DRAM bandwidth)", parts);
            }
            case Report.SimulationDetail s -> {
                var busiest = s.units().entrySet().stream()
                    .max(java.util.Comparator.comparingLong(e -> e.getValue().busy())).orElseThrow();
                String unit = busiest.getKey();
                Report.UnitStats u = busiest.getValue();
                parts.add(new Part(unit + " busy", u.busy(), 1, "cycle", null, u.busy()));
                parts.add(new Part(unit + " stalled on input", u.stalledOnInput(), 1, "cycle", null, u.stalledOnInput()));
                parts.add(new Part(unit + " stalled on output", u.stalledOnOutput(), 1, "cycle", null, u.stalledOnOutput()));
                parts.add(new Part(unit + " idle", u.idle(), 1, "cycle", null, u.idle()));
                yield new Explanation("cycles", r.cycles(), "cycles", "simulated: the last task's end, which every unit's "
                    + "busy, stalled and idle cycles add up to; shown for the busiest unit, " + unit, parts);
            }
        };
    }

    /** The parts' sum, which equals {@link #value} up to rounding. */
    public double sum() {
        return parts.stream().mapToDouble(Part::value).sum();
    }
}
