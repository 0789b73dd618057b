package cascade.hw;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;

import cascade.einsum.InvalidInputException;
import cascade.einsum.Resources;
import cascade.einsum.SourcePos;
import cascade.hw.YamlNodes.Located;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Published per-action energies and areas at one technology node (resources under
 * {@code energy/}), and the rule that carries them to another node. An architecture figure
 * written {@code table NAME ENTRY [+ ENTRY ...]} is the sum of the entries scaled to the
 * architecture's node; its source says which entries, from where, and the scale factor.
 *
 * <p>The scaling rule is first-order and says so: dynamic energy is C·V², capacitance shrinks
 * with the feature size, so energy × (node / table node) × (V(node) / V(table))²; area ×
 * (node / table node)². V(node) is a typical core voltage (assumed): 0.9 V at 28 nm and above,
 * 0.85 V at 20–22 nm, 0.8 V at 14–16 nm, 0.75 V at 10–12 nm, 0.7 V at 7–8 nm, 0.65 V below.
 */
public record EnergyTable(String name, double nodeNm, double volts, String source, Map<String, Entry> entries) {
    /** One entry: energy in pJ per {@code perBits} bits (0: per operation), area in µm² (0: not given). */
    public record Entry(double energyPj, int perBits, double areaUm2) {
    }

    /** The value of a {@code table …} figure, written as the loader's units read it, and its source. */
    public record Resolved(String text, String source) {
    }

    public static double volts(double nodeNm) {
        if (nodeNm >= 28) {
            return 0.9;
        }
        if (nodeNm >= 20) {
            return 0.85;
        }
        if (nodeNm >= 14) {
            return 0.8;
        }
        if (nodeNm >= 10) {
            return 0.75;
        }
        return nodeNm >= 7 ? 0.7 : 0.65;
    }

    public double energyScale(double toNodeNm) {
        double v = volts(toNodeNm) / volts;
        return toNodeNm / nodeNm * v * v;
    }

    public double areaScale(double toNodeNm) {
        return (toNodeNm / nodeNm) * (toNodeNm / nodeNm);
    }

    public static boolean isReference(String text) {
        return text.startsWith("table ");
    }

    /**
     * Resolves {@code table NAME E1 + E2 …} for an energy ({@code area == false}) or an area at
     * {@code nodeNm}. Energies of the entries must share a width (all per operation, or all per
     * the same number of bits).
     */
    public static Resolved resolve(String text, boolean area, double nodeNm, SourcePos pos) {
        String[] words = text.substring("table ".length()).trim().split("\\s+", 2);
        if (words.length < 2) {
            throw new InvalidInputException(pos, "a table reference is 'table NAME ENTRY [+ ENTRY …]', found '" + text + "'");
        }
        EnergyTable t = load(words[0], pos);
        double sum = 0;
        int perBits = -1;
        List<String> parts = new ArrayList<>();
        for (String raw : words[1].split("\\+")) {
            String key = raw.trim();
            Entry e = t.entries().get(key);
            if (e == null) {
                throw new InvalidInputException(pos, "table " + t.name() + " has no entry '" + key + "'; it has "
                    + String.join(", ", t.entries().keySet()));
            }
            if (area) {
                if (e.areaUm2() == 0) {
                    throw new InvalidInputException(pos, "table " + t.name() + " gives no area for '" + key + "'");
                }
                sum += e.areaUm2();
                parts.add(key + " " + plain(e.areaUm2()) + " um2");
            } else {
                if (perBits >= 0 && perBits != e.perBits()) {
                    throw new InvalidInputException(pos, "entries of different widths cannot be added: '" + words[1] + "'");
                }
                perBits = e.perBits();
                sum += e.energyPj();
                parts.add(key + " " + plain(e.energyPj()) + " pJ");
            }
        }
        double scale = area ? t.areaScale(nodeNm) : t.energyScale(nodeNm);
        double value = sum * scale;
        String number = plain(value);
        String literal = area ? number + " um2" : number + " pJ" + (perBits > 0 ? " per " + perBits + " bit" : "");
        String rule = area ? String.format(Locale.ROOT, "(node/%s nm)^2", plain(t.nodeNm()))
            : String.format(Locale.ROOT, "(node/%s nm)(V/%s V)^2, V(%s nm) = %s V assumed", plain(t.nodeNm()), plain(t.volts()),
                plain(nodeNm), plain(volts(nodeNm)));
        String source = String.format(Locale.ROOT, "%s: %s, x%.4f to %s nm by %s", t.source(), String.join(" + ", parts),
            scale, plain(nodeNm), rule);
        return new Resolved(literal, source);
    }

    private static String plain(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    private static final Map<String, EnergyTable> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    public static EnergyTable load(String name, SourcePos pos) {
        String file = "/energy/" + name + ".yaml";
        if (EnergyTable.class.getResource(file) == null) {
            throw new InvalidInputException(pos, "no energy table named '" + name + "'");
        }
        return LOADED.computeIfAbsent(name, n -> parse("energy/" + n + ".yaml", Resources.read(EnergyTable.class, file)));
    }

    static EnergyTable parse(String file, String text) {
        Located root = compose(file, text, "an energy table");
        Map<String, Located> m = mapping(root, List.of("table", "node", "voltage", "source", "entries"), "an energy table");
        double node = Units.parse(scalar(require(m, "node", root)), Units.Dimension.LENGTH, 8, m.get("node").pos()).value();
        double volts = Double.parseDouble(scalar(require(m, "voltage", root)));
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (var e : mapping(require(m, "entries", root), null, "the entries").entrySet()) {
            Map<String, Located> f = mapping(e.getValue(), List.of("energy", "area", "note"), "an entry");
            Located energy = require(f, "energy", e.getValue());
            Units.Parsed p = Units.parse(scalar(energy), Units.Dimension.ENERGY, 8, energy.pos());
            double area = f.containsKey("area")
                ? Units.parse(scalar(f.get("area")), Units.Dimension.AREA, 8, f.get("area").pos()).value() : 0;
            entries.put(e.getKey(), new Entry(p.value(), (int) p.perBits(), area));
        }
        return new EnergyTable(scalar(require(m, "table", root)), node, volts, scalar(require(m, "source", root)),
            java.util.Collections.unmodifiableMap(entries));
    }
}
