package cascade.hw;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prices {@link ActionCounts} with one architecture's energy table: a level's read and write
 * energy per word, a unit's energy per operation (a multiply on a unit without {@code mul} runs
 * on its MAC). Every priced line keeps the figure it used, so a report can say where each
 * picojoule came from ({@code --explain}).
 */
public final class EnergyAccountant {
    /** One priced action: count × the figure's energy per action. */
    public record Line(ActionCounts.Action action, long count, double pjEach, Figure entry) {
        public double pj() {
            return count * pjEach;
        }
    }

    /** Energy of a run by component and by tensor (operations under {@link #OPERATIONS}), and the lines behind it. */
    public record Priced(double totalPj, Map<String, Double> byComponentPj, Map<String, Double> byTensorPj,
                         List<Line> lines) {
        /** The lines of one component, in the order they were counted. */
        public List<Line> linesOf(String component) {
            return lines.stream().filter(l -> l.action().component().equals(component)).toList();
        }
    }

    /** The tensor name under which operations' energy is reported per tensor. */
    public static final String OPERATIONS = "(operations)";

    private final Architecture arch;

    public EnergyAccountant(Architecture arch) {
        this.arch = arch;
    }

    public Priced price(ActionCounts counts) {
        List<Line> lines = new ArrayList<>();
        Map<String, Double> byComponent = new LinkedHashMap<>();
        Map<String, Double> byTensor = new LinkedHashMap<>();
        for (var e : counts.counts().entrySet()) {
            Line line = line(e.getKey(), e.getValue());
            lines.add(line);
            byComponent.merge(line.action().component(), line.pj(), Double::sum);
            boolean operation = arch.compute(line.action().component()) != null;
            byTensor.merge(operation ? OPERATIONS : line.action().tensor(), line.pj(), Double::sum);
        }
        double total = byComponent.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Priced(total, byComponent, byTensor, List.copyOf(lines));
    }

    private Line line(ActionCounts.Action a, long count) {
        return new Line(a, count, pjEach(a.component(), a.action()), entry(a.component(), a.action()));
    }

    /**
     * The energy of one action: a level's read or write of a word (or of a bit), a unit's
     * operation (a multiply on a unit without {@code mul} runs on its MAC). The one rule for
     * prices, also read by the mapper's compiled model.
     */
    public double pjEach(String component, String action) {
        StorageLevel level = arch.storage(component);
        if (level != null) {
            return switch (action) {
                case ActionCounts.READ -> level.readPjPerWord();
                case ActionCounts.WRITE -> level.writePjPerWord();
                case ActionCounts.READ_BITS -> level.readPjPerWord() / arch.wordBits();
                case ActionCounts.WRITE_BITS -> level.writePjPerWord() / arch.wordBits();
                case ActionCounts.LEAK -> level.leakPjPerCycle() * level.instances();
                default -> throw new IllegalArgumentException("a storage level reads or writes; not " + component + "."
                    + action);
            };
        }
        ComputeArray unit = unit(component);
        if (action.equals(ActionCounts.LEAK)) {
            return unit.leakPjPerCycle() * unit.pes();
        }
        Double pj = unit.energyPj().get(operator(unit, action));
        if (pj == null) {
            throw new IllegalArgumentException(unit.name() + " has no energy for " + operator(unit, action));
        }
        return pj;
    }

    private Figure entry(String component, String action) {
        StorageLevel level = arch.storage(component);
        if (action.equals(ActionCounts.LEAK)) {
            List<Figure> figures = level != null ? level.figures() : unit(component).figures();
            return figure(figures, component + ".leak");
        }
        if (level != null) {
            String which = action.equals(ActionCounts.READ) || action.equals(ActionCounts.READ_BITS) ? "read" : "write";
            return figure(level.figures(), level.name() + "." + which);
        }
        ComputeArray unit = unit(component);
        return figure(unit.figures(), unit.name() + ".energy." + operator(unit, action));
    }

    private ComputeArray unit(String component) {
        ComputeArray unit = arch.compute(component);
        if (unit == null) {
            throw new IllegalArgumentException("no component " + component + " in " + arch.name());
        }
        return unit;
    }

    private static String operator(ComputeArray unit, String action) {
        return unit.supports(action) ? action : "mac";
    }

    private static Figure figure(List<Figure> figures, String name) {
        return figures.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
