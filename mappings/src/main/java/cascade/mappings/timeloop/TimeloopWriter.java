package cascade.mappings.timeloop;

import cascade.einsum.Einsum;
import cascade.einsum.Index;
import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.StorageLevel;
import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Cascade's architectures, Einsums and mappings written as Timeloop v0.4 files, which Timeloop
 * (and {@code timeloop model}) read back. What is written means what Cascade's model means:
 * every level has one-word blocks ({@code block_size: 1}, so an access is a word, as Cascade
 * prices it), its bandwidth as {@code shared_bandwidth} in words per cycle, its per-word energies
 * in the ERT, and the Einsum's operations on one point as the compute's one {@code compute}
 * action. Under {@link AnalyticalModel.Counting#TIMELOOP} the exported mapping counts the same in
 * both ({@code TimeloopRoundTripTest}).
 */
public final class TimeloopWriter {
    private TimeloopWriter() {
    }

    /** The four files of one exported Einsum, as text. */
    public record Export(String architecture, String problem, String mapping, String ert) {
    }

    /**
     * One mapped Einsum of {@code mapped}: the unit's path of storage levels (those the mapping
     * uses), the Einsum's iteration space and projections, the mapping, and the energy table.
     *
     * @throws IllegalArgumentException for what Timeloop's format cannot say (a gathered subscript,
     *     a level above the unit's with several instances, a rank twice in one level's loops)
     */
    public static Export export(MappedCascade mapped, Mapping.EinsumMapping em) {
        Architecture arch = mapped.architecture();
        Einsum e = mapped.cascade().producer(em.output());
        ComputeArray unit = arch.compute(em.unit());
        List<String> chain = AnalyticalModel.levelChain(arch, em, unit);
        for (String t : MappingValidator.tensorRanks(e).keySet()) {
            if (mapped.resident().containsKey(t)) {
                throw new IllegalArgumentException(t + " is resident at " + mapped.resident().get(t)
                    + "; exporting a resident tensor is not done yet");
            }
        }
        List<String> dims = dims(e, em);
        Set<String> dataSpaces = new LinkedHashSet<>(MappingValidator.tensorRanks(e).keySet());
        return new Export(architecture(arch, chain, unit), problem(mapped.cascade().name(), e, em, dims),
            mapping(em, dims, dataSpaces, u -> columns(unit), u -> rows(unit)), ert(arch, chain, unit, e));
    }

    private static String architecture(Architecture arch, List<String> chain, ComputeArray unit) {
        StringBuilder out = new StringBuilder("architecture:\n  version: 0.4\n  nodes:\n");
        out.append("  - !Container\n    name: ").append(identifier(arch.name())).append("\n    attributes:\n")
            .append("      technology: \"").append(number(arch.technologyNm())).append("nm\"\n")
            .append("      global_cycle_seconds: ").append(arch.secondsPerCycle()).append('\n');
        for (int i = 0; i < chain.size(); i++) {
            StorageLevel s = arch.storage(chain.get(i));
            boolean innermost = i == chain.size() - 1;
            if (!innermost && s.instances() != 1) {
                throw new IllegalArgumentException(s.name() + " has " + s.instances() + " instances; Cascade's mappings "
                    + "fan out only to the unit's own level, so only it may have several");
            }
            if (innermost && (s.instances() != 1 || unit.pes() != 1)) {
                if (s.instances() != unit.pes()) {
                    throw new IllegalArgumentException(s.name() + " has " + s.instances() + " instances and " + unit.name()
                        + " " + unit.pes() + " PEs; exporting needs one level instance per PE");
                }
                // Columns and rows as containers of their own, so a rank may spread over both (Timeloop
                // gives a dimension one factor per spatial directive).
                if (unit.cols() > 1) {
                    out.append("  - !Container\n    name: ").append(columns(unit)).append("\n    spatial: {meshX: ")
                        .append(unit.cols()).append("}\n");
                }
                if (unit.rows() > 1) {
                    out.append("  - !Container\n    name: ").append(rows(unit)).append("\n    spatial: {meshY: ")
                        .append(unit.rows()).append("}\n");
                }
            }
            out.append("  - !Component\n    name: ").append(s.name()).append("\n    class: ")
                .append(switch (s.kind()) {
                    case DRAM -> "DRAM";
                    case SRAM -> "SRAM";
                    case REGFILE -> "regfile";
                }).append("\n    attributes:\n")
                .append("      datawidth: ").append(arch.wordBits()).append('\n')
                .append("      width: ").append(arch.wordBits()).append('\n')
                .append("      block_size: 1\n");
            if (!s.unbounded()) {
                out.append("      depth: ").append((long) s.capacityWords()).append('\n');
            }
            if (Double.isFinite(s.bandwidthWordsPerCycle())) {
                out.append("      shared_bandwidth: ").append(s.bandwidthWordsPerCycle()).append('\n');
            }
        }
        out.append("  - !Component\n    name: ").append(unit.name()).append("\n    class: intmac\n    attributes:\n")
            .append("      datawidth: ").append(arch.wordBits()).append('\n');
        return out.toString();
    }

    /** Every rank the Einsum's iteration space has, in the order the mapping's loops first name them. */
    private static List<String> dims(Einsum e, Mapping.EinsumMapping em) {
        Set<String> all = new LinkedHashSet<>();
        for (Mapping.LevelLoops l : em.levels()) {
            for (List<Mapping.Loop> loops : List.of(l.temporal(), l.spatialRows(), l.spatialCols())) {
                loops.forEach(x -> all.add(x.rank().toUpperCase(Locale.ROOT)));
            }
        }
        MappingValidator.tensorRanks(e).values().forEach(all::addAll);
        return List.copyOf(all);
    }

    private static String problem(String cascade, Einsum e, Mapping.EinsumMapping em, List<String> dims) {
        Map<String, Long> extent = new LinkedHashMap<>();
        dims.forEach(d -> extent.put(d, 1L));
        for (Mapping.LevelLoops l : em.levels()) {
            for (List<Mapping.Loop> loops : List.of(l.temporal(), l.spatialRows(), l.spatialCols())) {
                loops.forEach(x -> extent.merge(x.rank().toUpperCase(Locale.ROOT), x.factor(), Math::multiplyExact));
            }
        }
        Map<String, Long> coefficients = new LinkedHashMap<>();
        StringBuilder spaces = new StringBuilder();
        Set<String> seen = new LinkedHashSet<>();
        List<RuntimeException> refused = new ArrayList<>();
        e.body().accesses(a -> {
            if (a.tensor().equals(e.output()) || !seen.add(a.tensor())) {
                if (!a.tensor().equals(e.output())) {
                    refused.add(new IllegalArgumentException(a.tensor() + " is read twice; a Timeloop data space has one "
                        + "projection"));
                }
                return;
            }
            List<String> projected = new ArrayList<>();
            for (Index ix : a.indices()) {
                if (!(ix instanceof Index.Affine af) || af.offset() != null) {
                    refused.add(new IllegalArgumentException(a.tensor() + "[" + ix + "]: Timeloop's projections are sums of "
                        + "ranks times coefficients, without gathers or offsets"));
                    return;
                }
                List<String> terms = new ArrayList<>();
                for (Index.Term t : af.terms()) {
                    if (t.coeff() == 1) {
                        terms.add("[" + t.rank() + "]");
                    } else {
                        String name = "C" + t.coeff();
                        coefficients.put(name, t.coeff());
                        terms.add("[" + t.rank() + ", " + name + "]");
                    }
                }
                projected.add("[" + String.join(", ", terms) + "]");
            }
            spaces.append("    - name: ").append(a.tensor()).append("\n      projection: [")
                .append(String.join(", ", projected)).append("]\n");
        });
        if (!refused.isEmpty()) {
            throw refused.getFirst();
        }
        List<String> out = new ArrayList<>();
        e.outputRanks().forEach(r -> out.add("[[" + r + "]]"));
        spaces.append("    - name: ").append(e.output()).append("\n      projection: [").append(String.join(", ", out))
            .append("]\n      read_write: True\n");
        StringBuilder p = new StringBuilder("problem:\n  version: 0.4\n  shape:\n    name: ")
            .append(identifier(cascade + "_" + e.output())).append("\n    dimensions: [").append(String.join(", ", dims))
            .append("]\n");
        if (!coefficients.isEmpty()) {
            p.append("    coefficients:\n");
            coefficients.forEach((n, v) -> p.append("    - {name: ").append(n).append(", default: ").append(v).append("}\n"));
        }
        p.append("    data_spaces:\n").append(spaces).append("  instance:\n");
        extent.forEach((d, n) -> p.append("    ").append(d).append(": ").append(n).append('\n'));
        return p.toString();
    }

    /**
     * One temporal directive per level (every dimension's factor, the permutation innermost first
     * as Timeloop writes it), a spatial one for each container the level fans out through
     * ({@code columns} and {@code rows} name them from the level), and one {@code dataspace}
     * directive per level saying what it keeps.
     */
    /** A mapping of a Timeloop architecture read in: spatial directives name the level that fans out. */
    public static String mapping(Mapping.EinsumMapping m, List<String> dims, Set<String> dataSpaces) {
        return mapping(m, dims, dataSpaces, level -> level, level -> level);
    }

    public static String mapping(Mapping.EinsumMapping m, List<String> dims, Set<String> dataSpaces,
                                 java.util.function.UnaryOperator<String> columns, java.util.function.UnaryOperator<String> rows) {
        StringBuilder out = new StringBuilder("mapping:\n");
        for (Mapping.LevelLoops l : m.levels()) {
            out.append(directive(l.level(), "temporal", l.temporal(), dims, -1));
            String x = columns.apply(l.level());
            String y = rows.apply(l.level());
            if (x.equals(y) && !l.spatialCols().isEmpty() && !l.spatialRows().isEmpty()) {
                // One target fans out both ways: one directive, the X loops first in its permutation, split after them.
                List<Mapping.Loop> both = new ArrayList<>(l.spatialRows());
                both.addAll(l.spatialCols());
                out.append(directive(x, "spatial", both, dims, l.spatialCols().size()));
            } else {
                if (!l.spatialCols().isEmpty()) {
                    out.append(directive(x, "spatial", l.spatialCols(), dims, -1));
                }
                if (!l.spatialRows().isEmpty()) {
                    out.append(directive(y, "spatial", l.spatialRows(), dims, -1));
                }
            }
            Set<String> keep = l.keep() == null ? dataSpaces : l.keep();
            out.append("  - target: ").append(l.level()).append("\n    type: dataspace\n    keep: [")
                .append(String.join(", ", dataSpaces.stream().filter(keep::contains).toList())).append("]\n    bypass: [")
                .append(String.join(", ", dataSpaces.stream().filter(t -> !keep.contains(t)).toList())).append("]\n");
        }
        return out.toString();
    }

    /** {@code split}: where X ends in the permutation (the loops' last {@code split}, innermost first), or -1 for none. */
    private static String directive(String target, String type, List<Mapping.Loop> loops, List<String> dims, int split) {
        List<String> innerFirst = new ArrayList<>();
        Map<String, Long> factor = new LinkedHashMap<>();
        for (Mapping.Loop loop : loops.reversed()) {
            String d = loop.rank().toUpperCase(Locale.ROOT);
            if (factor.put(d, loop.factor()) != null) {
                throw new IllegalArgumentException(target + " has two " + type + " loops over " + d + "; Timeloop gives a "
                    + "dimension one factor per directive");
            }
            innerFirst.add(d);
        }
        List<String> factors = new ArrayList<>();
        for (String d : dims) {
            factors.add(d + "=" + factor.getOrDefault(d, 1L));
            if (!innerFirst.contains(d)) {
                innerFirst.add(d);
            }
        }
        return "  - target: " + target + "\n    type: " + type + "\n    factors: " + String.join(" ", factors)
            + "\n    permutation: " + (dims.stream().allMatch(d -> d.length() == 1) ? String.join("", innerFirst)
                : "[" + String.join(", ", innerFirst) + "]") + "\n" + (split >= 0 ? "    split: " + split + "\n" : "");
    }

    private static String columns(ComputeArray unit) {
        return unit.name() + "_columns";
    }

    private static String rows(ComputeArray unit) {
        return unit.name() + "_rows";
    }

    private static String ert(Architecture arch, List<String> chain, ComputeArray unit, Einsum e) {
        EnergyAccountant prices = new EnergyAccountant(arch);
        String top = identifier(arch.name());
        StringBuilder out = new StringBuilder("ERT:\n  version: 0.3\n  tables:\n");
        for (String level : chain) {
            double read = prices.pjEach(level, ActionCounts.READ);
            double write = prices.pjEach(level, ActionCounts.WRITE);
            out.append("  - name: ").append(top).append('.').append(level).append("\n    actions:\n");
            action(out, "read", read);
            action(out, "write", write);
            action(out, "update", write);
            action(out, "leak", 0);
        }
        double op = 0;
        for (String o : MappingValidator.requiredOps(e)) {
            op += prices.pjEach(unit.name(), o);
        }
        out.append("  - name: ").append(top).append('.').append(unit.name()).append("\n    actions:\n");
        action(out, "compute", op);
        return out.toString();
    }

    private static void action(StringBuilder out, String name, double pj) {
        out.append("    - name: ").append(name).append("\n      arguments: null\n      energy: ").append(pj).append('\n');
    }

    private static String identifier(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static String number(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
