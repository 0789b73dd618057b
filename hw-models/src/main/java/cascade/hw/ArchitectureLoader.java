package cascade.hw;

import cascade.einsum.InvalidInputException;
import cascade.einsum.Resources;
import cascade.einsum.SourcePos;
import cascade.hw.YamlNodes.Located;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

/**
 * Loads architecture specs (YAML; the format is documented in hw-models/README.md). Every
 * problem is reported at the line and column of the offending node. A spec may
 * {@code extends: PRESET}: its top-level keys replace the preset's, so a baseline that shares a
 * preset's hardware names only what differs.
 */
public final class ArchitectureLoader {
    private static final List<String> TOP = List.of("architecture", "extends", "description", "source", "clock",
        "technology", "word", "storage", "compute", "addCompute", "rtl");
    private static final List<String> STORAGE = List.of("name", "parent", "kind", "capacity", "banks", "instances",
        "width", "bandwidth", "latency", "read", "write", "leak", "area", "source");
    private static final List<String> COMPUTE = List.of("name", "kind", "under", "rows", "cols", "width", "ops",
        "energy", "latency", "issue", "leak", "area", "source", "engine", "pivot", "roundOverhead", "seed");

    private ArchitectureLoader() {
    }

    public static List<String> presetNames() {
        return Resources.index(ArchitectureLoader.class, "/architectures");
    }

    public static Architecture preset(String name) {
        if (!presetNames().contains(name)) {
            throw new IllegalArgumentException("no architecture preset named " + name);
        }
        Architecture a = PRESETS.get(name);
        if (a == null) { // not computeIfAbsent: a preset may build on another
            String file = "architectures/" + name + ".yaml";
            a = parse(file, Resources.read(ArchitectureLoader.class, "/" + file));
            PRESETS.putIfAbsent(name, a);
        }
        return a;
    }

    /** Parsed once: an architecture is immutable, and designs and sweeps name the same presets again and again. */
    private static final java.util.Map<String, Architecture> PRESETS = new java.util.concurrent.ConcurrentHashMap<>();

    public static Architecture load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    public static Architecture parse(String file, String text) {
        return parse(file, text, Map.of());
    }

    /**
     * Parses with some figures replaced: {@code "GlobalBuffer.capacity"} or {@code "PE2D.rows"}
     * names a level's or unit's key, {@code "clock"} a top-level one. The replacement nodes keep
     * their own positions (a sweep file's), so a bad value is reported where it was written.
     */
    public static Architecture parse(String file, String text, Map<String, Located> overrides) {
        Located root = compose(file, text, "an architecture");
        Map<String, Located> top = new LinkedHashMap<>(topLevel(root, new LinkedHashSet<>()));
        Set<String> used = new LinkedHashSet<>();
        for (var o : overrides.entrySet()) {
            if (!o.getKey().contains(".")) {
                if (!List.of("clock", "technology", "word").contains(o.getKey())) {
                    throw new InvalidInputException(o.getValue().pos(), "cannot override '" + o.getKey()
                        + "'; top-level figures that can be: clock, technology, word");
                }
                top.put(o.getKey(), o.getValue());
                used.add(o.getKey());
            }
        }
        Architecture a = build(top, root, overrides, used);
        for (var o : overrides.entrySet()) {
            if (!used.contains(o.getKey())) {
                throw new InvalidInputException(o.getValue().pos(), "'" + o.getKey() + "' names no storage level or"
                    + " compute unit field of " + a.name() + " (write LEVEL.key or UNIT.key, e.g. GlobalBuffer.capacity)");
            }
        }
        return a;
    }

    /** The entries of a level's or unit's mapping with the overrides for it put in. */
    private static Map<String, Located> overridden(Map<String, Located> m, String name, List<String> allowed,
                                                   Map<String, Located> overrides, Set<String> used) {
        Map<String, Located> out = new LinkedHashMap<>(m);
        for (var o : overrides.entrySet()) {
            if (o.getKey().startsWith(name + ".")) {
                String key = o.getKey().substring(name.length() + 1);
                if (!allowed.contains(key) || key.equals("name")) {
                    throw new InvalidInputException(o.getValue().pos(), "cannot override '" + key + "' of " + name
                        + "; keys: " + String.join(", ", allowed.stream().filter(k -> !k.equals("name")).toList()));
                }
                out.put(key, o.getValue());
                used.add(o.getKey());
            }
        }
        return out;
    }

    /** The spec's top-level entries with those of the preset it extends underneath. */
    private static Map<String, Located> topLevel(Located root, Set<String> seen) {
        Map<String, Located> own = mapping(root, TOP, "an architecture");
        Located base = own.get("extends");
        if (base == null) {
            return own;
        }
        String preset = scalar(base);
        if (!presetNames().contains(preset)) {
            throw new InvalidInputException(base.pos(), "unknown preset '" + preset + "' to extend; presets: "
                + String.join(", ", presetNames()));
        }
        if (!seen.add(preset)) {
            throw new InvalidInputException(base.pos(), "preset '" + preset + "' extends itself");
        }
        String presetFile = "architectures/" + preset + ".yaml";
        Map<String, Located> merged = new LinkedHashMap<>(topLevel(
            compose(presetFile, Resources.read(ArchitectureLoader.class, "/" + presetFile), "an architecture"), seen));
        merged.remove("extends");
        merged.putAll(own);
        merged.remove("extends");
        return merged;
    }

    private static Architecture build(Map<String, Located> top, Located root, Map<String, Located> overrides,
                                      Set<String> used) {
        String name = scalar(require(top, "architecture", root));
        String description = top.containsKey("description") ? scalar(top.get("description")) : "";
        String source = top.containsKey("source") ? scalar(top.get("source")) : null;
        List<Figure> figures = new ArrayList<>();
        Located wordNode = require(top, "word", root);
        double wordBits = Units.parse(scalar(wordNode), Units.Dimension.SIZE, 8, wordNode.pos()).value() * 8;
        if (wordBits != Math.rint(wordBits) || wordBits < 1) {
            throw new InvalidInputException(wordNode.pos(), "a word is a whole number of bits, as in 16 bit");
        }
        int word = (int) wordBits;
        figures.add(figure("word", wordNode, Units.Dimension.SIZE, 8, source));
        Figure clock = figure("clock", require(top, "clock", root), Units.Dimension.FREQUENCY, word, source);
        figures.add(clock);
        Figure technology = figure("technology", require(top, "technology", root), Units.Dimension.LENGTH, word, source);
        figures.add(technology);
        List<StorageLevel> storage = new ArrayList<>();
        Located storageNode = require(top, "storage", root);
        for (Located level : sequence(storageNode, "storage levels")) {
            storage.add(storageLevel(level, word, clock.value(), technology.value(), source, storage, overrides, used));
        }
        if (storage.isEmpty()) {
            throw new InvalidInputException(storageNode.pos(), "an architecture needs at least one storage level");
        }
        checkUnique(storage.stream().map(StorageLevel::name).toList(), sequence(storageNode, "storage levels"), "storage level");
        List<ComputeArray> compute = new ArrayList<>();
        Located computeNode = require(top, "compute", root);
        List<Located> units = new ArrayList<>(sequence(computeNode, "compute units"));
        if (top.containsKey("addCompute")) { // units beside those of the preset extended
            units.addAll(sequence(top.get("addCompute"), "compute units to add"));
        }
        for (Located unit : units) {
            compute.add(computeArray(unit, word, technology.value(), source, storage, overrides, used));
        }
        if (compute.isEmpty()) {
            throw new InvalidInputException(computeNode.pos(), "an architecture needs at least one compute unit");
        }
        checkUnique(compute.stream().map(ComputeArray::name).toList(), units, "compute unit");
        return new Architecture(name, description, root.file(), clock.value(), technology.value(), word,
            List.copyOf(storage), List.copyOf(compute), List.copyOf(figures));
    }

    private static StorageLevel storageLevel(Located node, int word, double clockHz, double nm, String fileSource,
                                             List<StorageLevel> outer, Map<String, Located> overrides, Set<String> used) {
        Map<String, Located> declared = mapping(node, STORAGE, "a storage level");
        String name = scalar(require(declared, "name", node));
        Map<String, Located> m = overridden(declared, name, STORAGE, overrides, used);
        String parent = outer.isEmpty() ? null : outer.getLast().name();
        if (m.containsKey("parent")) {
            parent = scalar(m.get("parent"));
            String p = parent;
            if (outer.stream().noneMatch(s -> s.name().equals(p))) {
                throw new InvalidInputException(m.get("parent").pos(), "parent '" + parent + "' of " + name
                    + " is not a level listed before it; levels go outermost first");
            }
        }
        String source = m.containsKey("source") ? scalar(m.get("source")) : fileSource;
        Located kindNode = require(m, "kind", node);
        StorageLevel.Kind kind = switch (scalar(kindNode)) {
            case "dram" -> StorageLevel.Kind.DRAM;
            case "sram" -> StorageLevel.Kind.SRAM;
            case "regfile" -> StorageLevel.Kind.REGFILE;
            default -> throw new InvalidInputException(kindNode.pos(), "unknown storage kind '" + scalar(kindNode)
                + "'; expected dram, sram or regfile");
        };
        List<Figure> figures = new ArrayList<>();
        double capacityWords = Double.POSITIVE_INFINITY;
        if (m.containsKey("capacity")) {
            Figure f = figure(name + ".capacity", m.get("capacity"), Units.Dimension.SIZE, word, source);
            figures.add(f);
            capacityWords = f.value() * 8 / word;
        } else if (kind != StorageLevel.Kind.DRAM) {
            throw new InvalidInputException(node.pos(), "storage level " + name + " needs a capacity (only DRAM may omit it)");
        }
        int banks = count(m, node, "banks", name, figures, source, 1);
        int instances = count(m, node, "instances", name, figures, source, 1);
        double widthWords = 1;
        if (m.containsKey("width")) {
            Figure f = figure(name + ".width", m.get("width"), Units.Dimension.SIZE, word, source);
            figures.add(f);
            double bits = f.value() * 8;
            if (bits % word != 0) {
                throw new InvalidInputException(m.get("width").pos(), "width " + scalar(m.get("width"))
                    + " of " + name + " is not a whole number of " + word + "-bit words");
            }
            widthWords = bits / word;
            if (widthWords > capacityWords) {
                throw new InvalidInputException(m.get("width").pos(), "width " + scalar(m.get("width")) + " of " + name
                    + " exceeds its capacity");
            }
        }
        double bandwidthWordsPerCycle = widthWords * banks;
        if (m.containsKey("bandwidth")) {
            Figure f = figure(name + ".bandwidth", m.get("bandwidth"), Units.Dimension.BANDWIDTH, word, source);
            figures.add(f);
            bandwidthWordsPerCycle = f.unit().equals("words/cycle") ? f.value() : f.value() * 8 / word / clockHz;
        } else if (kind == StorageLevel.Kind.DRAM) {
            throw new InvalidInputException(node.pos(), "DRAM level " + name + " needs a bandwidth, as in 400 GiB/s");
        }
        long latency = 0;
        if (m.containsKey("latency")) {
            Figure f = figure(name + ".latency", m.get("latency"), Units.Dimension.CYCLES, word, source);
            figures.add(f);
            latency = Math.round(f.value());
        }
        double read = energyPerWord(name + ".read", require(m, "read", node), word, figures, source, nm);
        double write = energyPerWord(name + ".write", require(m, "write", node), word, figures, source, nm);
        double area = 0;
        if (m.containsKey("area")) {
            Figure f = figure(name + ".area", m.get("area"), Units.Dimension.AREA, word, source, nm);
            figures.add(f);
            area = f.value();
        }
        double leak = 0;
        if (m.containsKey("leak")) { // per instance per cycle, as Accelergy's tables give it
            Figure f = figure(name + ".leak", m.get("leak"), Units.Dimension.ENERGY, word, source, nm);
            figures.add(f);
            leak = f.value();
        }
        return new StorageLevel(name, parent, kind, capacityWords, banks, instances, widthWords, bandwidthWordsPerCycle,
            latency, read, write, area, List.copyOf(figures), leak);
    }

    private static ComputeArray computeArray(Located node, int word, double nm, String fileSource, List<StorageLevel> storage,
                                             Map<String, Located> overrides, Set<String> used) {
        Map<String, Located> declared = mapping(node, COMPUTE, "a compute unit");
        String name = scalar(require(declared, "name", node));
        Map<String, Located> m = overridden(declared, name, COMPUTE, overrides, used);
        String source = m.containsKey("source") ? scalar(m.get("source")) : fileSource;
        Located kindNode = require(m, "kind", node);
        ComputeArray.Kind kind = switch (scalar(kindNode)) {
            case "array2d" -> ComputeArray.Kind.ARRAY_2D;
            case "array1d" -> ComputeArray.Kind.ARRAY_1D;
            case "topk" -> ComputeArray.Kind.TOPK;
            default -> throw new InvalidInputException(kindNode.pos(), "unknown compute kind '" + scalar(kindNode)
                + "'; expected array2d, array1d or topk");
        };
        Located underNode = require(m, "under", node);
        String under = scalar(underNode);
        if (storage.stream().noneMatch(s -> s.name().equals(under))) {
            throw new InvalidInputException(underNode.pos(), "compute unit " + name + " is under unknown storage level '"
                + under + "'; levels: " + String.join(", ", storage.stream().map(StorageLevel::name).toList()));
        }
        List<Figure> figures = new ArrayList<>();
        int rows;
        int cols;
        if (kind == ComputeArray.Kind.ARRAY_2D) {
            rows = count(m, node, "rows", name, figures, source, -1);
            cols = count(m, node, "cols", name, figures, source, -1);
            forbid(m, "width", name, "a 2D array has rows and cols");
        } else {
            rows = 1;
            cols = count(m, node, "width", name, figures, source, -1);
            forbid(m, "rows", name, "a 1D array or top-k engine has a width");
            forbid(m, "cols", name, "a 1D array or top-k engine has a width");
        }
        Located opsNode = require(m, "ops", node);
        Set<String> ops = new LinkedHashSet<>();
        for (Located op : sequence(opsNode, "operations")) {
            String o = scalar(op);
            if (!OPS.contains(o)) {
                throw new InvalidInputException(op.pos(), "unknown operation '" + o + "'; expected one of " + String.join(", ", OPS));
            }
            ops.add(o);
        }
        Map<String, Double> energy = new LinkedHashMap<>();
        for (var e : mapping(require(m, "energy", node), List.copyOf(ops), "per-operation energies of " + name).entrySet()) {
            Figure f = figure(name + ".energy." + e.getKey(), e.getValue(), Units.Dimension.ENERGY, word, source, nm);
            figures.add(f);
            energy.put(e.getKey(), f.value());
        }
        for (String op : ops) {
            if (!energy.containsKey(op)) {
                throw new InvalidInputException(m.get("energy").pos(), name + " supports " + op + " but gives no energy for it");
            }
        }
        Map<String, Integer> latency = new LinkedHashMap<>();
        if (m.containsKey("latency")) {
            for (var e : mapping(m.get("latency"), List.copyOf(ops), "per-operation latencies of " + name).entrySet()) {
                Figure f = figure(name + ".latency." + e.getKey(), e.getValue(), Units.Dimension.CYCLES, word, source);
                figures.add(f);
                latency.put(e.getKey(), (int) f.value());
            }
        }
        for (String op : ops) {
            latency.putIfAbsent(op, 1);
        }
        // Issue interval: how many cycles a PE is busy per operation (latency is how long its result takes).
        Map<String, Integer> issue = new LinkedHashMap<>();
        if (m.containsKey("issue")) {
            for (var e : mapping(m.get("issue"), List.copyOf(ops), "per-operation issue intervals of " + name).entrySet()) {
                Figure f = figure(name + ".issue." + e.getKey(), e.getValue(), Units.Dimension.CYCLES, word, source);
                if (f.value() < 1 || f.value() != Math.rint(f.value())) {
                    throw new InvalidInputException(e.getValue().pos(), "an issue interval is a whole number of cycles, at "
                        + "least 1");
                }
                figures.add(f);
                issue.put(e.getKey(), (int) f.value());
            }
        }
        double area = 0;
        if (m.containsKey("area")) {
            Figure f = figure(name + ".area", m.get("area"), Units.Dimension.AREA, word, source, nm);
            figures.add(f);
            area = f.value();
        }
        double leak = 0;
        if (m.containsKey("leak")) { // per PE per cycle, as Accelergy's tables give it
            Figure f = figure(name + ".leak", m.get("leak"), Units.Dimension.ENERGY, word, source, nm);
            figures.add(f);
            leak = f.value();
        }
        TopKEngine topk = null;
        if (kind == ComputeArray.Kind.TOPK) {
            topk = topkEngine(m, name, cols, figures, source);
        } else {
            for (String key : List.of("engine", "pivot", "roundOverhead", "seed")) {
                forbid(m, key, name, "only a top-k engine has it");
            }
        }
        return new ComputeArray(name, kind, under, rows, cols, java.util.Collections.unmodifiableSet(ops),
            java.util.Collections.unmodifiableMap(energy), java.util.Collections.unmodifiableMap(latency),
            java.util.Collections.unmodifiableMap(issue), area, List.copyOf(figures), topk, leak);
    }

    /** {@code engine: quickselect} (pivot, roundOverhead, seed) or {@code engine: bitonic}; width = comparators. */
    private static TopKEngine topkEngine(Map<String, Located> m, String name, int width, List<Figure> figures, String source) {
        String engine = m.containsKey("engine") ? scalar(m.get("engine")) : "quickselect";
        switch (engine) {
            case "quickselect" -> {
                TopKEngine.Pivot pivot = TopKEngine.Pivot.RANDOM;
                if (m.containsKey("pivot")) {
                    String p = scalar(m.get("pivot"));
                    if (!p.equals("random") && !p.equals("first") && !p.equals("lfsr")) {
                        throw new InvalidInputException(m.get("pivot").pos(), "unknown pivot '" + p
                            + "'; expected random, first or lfsr");
                    }
                    pivot = TopKEngine.Pivot.valueOf(p.toUpperCase(java.util.Locale.ROOT));
                }
                int overhead = 3;
                if (m.containsKey("roundOverhead")) {
                    Figure f = figure(name + ".roundOverhead", m.get("roundOverhead"), Units.Dimension.CYCLES, 16, source);
                    figures.add(f);
                    overhead = (int) f.value();
                }
                long seed = m.containsKey("seed") ? count(m, m.get("seed"), "seed", name, figures, source, 1) : 1;
                return new TopKEngine.QuickSelect(width, overhead, pivot, seed);
            }
            case "bitonic" -> {
                for (String key : List.of("pivot", "roundOverhead", "seed")) {
                    forbid(m, key, name, "a bitonic engine has no pivot, rounds or seed");
                }
                if (width < 2 || Integer.bitCount(width) != 1) {
                    throw new InvalidInputException(m.get("width").pos(), "a bitonic engine's width must be a power of two");
                }
                return new TopKEngine.Bitonic(width);
            }
            default -> throw new InvalidInputException(m.get("engine").pos(), "unknown top-k engine '" + engine
                + "'; expected quickselect or bitonic");
        }
    }

    /** The operations a compute unit may list (the Einsum operators, as the 1D/2D arrays execute them). */
    public static final List<String> OPS = List.of("mac", "add", "mul", "div", "max", "min", "exp", "sqrt", "log", "compare");

    // ---- helpers ----

    private static double energyPerWord(String name, Located node, int word, List<Figure> figures, String source,
                                        double nm) {
        String text = valueText(node);
        String from = sourceOf(node, source);
        if (EnergyTable.isReference(text)) {
            EnergyTable.Resolved r = EnergyTable.resolve(text, false, nm, valuePos(node));
            text = r.text();
            from = withNote(node, r.source());
        }
        Units.Parsed p = Units.parse(text, Units.Dimension.ENERGY, word, valuePos(node));
        figures.add(new Figure(name, p.value(), "pJ", valueText(node), from, valuePos(node)));
        double words = p.perBits() == 0 ? 1 : p.perBits() / word;
        return p.value() / words;
    }

    private static int count(Map<String, Located> m, Located ownerNode, String key, String owner, List<Figure> figures,
                             String source, int dflt) {
        Located node = m.get(key);
        if (node == null) {
            if (dflt < 0) {
                throw new InvalidInputException(ownerNode.pos(), owner + " needs '" + key + "'");
            }
            return dflt;
        }
        Figure f = figure(owner + "." + key, node, Units.Dimension.COUNT, 1, source);
        if (f.value() != Math.rint(f.value()) || f.value() > Integer.MAX_VALUE) {
            throw new InvalidInputException(valuePos(node), key + " of " + owner + " must be a whole number");
        }
        figures.add(f);
        return (int) f.value();
    }

    private static void forbid(Map<String, Located> m, String key, String owner, String why) {
        if (m.containsKey(key)) {
            throw new InvalidInputException(m.get(key).pos(), "'" + key + "' does not apply to " + owner + ": " + why);
        }
    }

    /** An energy or area figure, which may also be a reference into an {@link EnergyTable}, scaled to {@code nm}. */
    private static Figure figure(String name, Located node, Units.Dimension d, int word, String source, double nm) {
        String text = valueText(node);
        if (!EnergyTable.isReference(text)) {
            return figure(name, node, d, word, source);
        }
        EnergyTable.Resolved r = EnergyTable.resolve(text, d == Units.Dimension.AREA, nm, valuePos(node));
        Units.Parsed p = Units.parse(r.text(), d, word, valuePos(node));
        return new Figure(name, p.value(), p.unit(), text, withNote(node, r.source()), valuePos(node));
    }

    /** A figure written as {@code 400 GiB/s} or as {@code {value: 400 GiB/s, source: "…"}}. */
    private static Figure figure(String name, Located node, Units.Dimension d, int word, String source) {
        Units.Parsed p = Units.parse(valueText(node), d, word, valuePos(node));
        return new Figure(name, p.value(), p.unit(), valueText(node), sourceOf(node, source), valuePos(node));
    }

    private static Located valueNode(Located node) {
        if (node.node() instanceof MappingNode) {
            Map<String, Located> m = mapping(node, List.of("value", "source"), "a figure");
            return require(m, "value", node);
        }
        return node;
    }

    private static String valueText(Located node) {
        return scalar(valueNode(node));
    }

    private static SourcePos valuePos(Located node) {
        return valueNode(node).pos();
    }

    /** A table's source, after the figure's own note where it has one. */
    private static String withNote(Located node, String tableSource) {
        String own = sourceOf(node, null);
        return own == null ? tableSource : own + "; " + tableSource;
    }

    private static String sourceOf(Located node, String inherited) {
        if (node.node() instanceof MappingNode) {
            Located s = mapping(node, List.of("value", "source"), "a figure").get("source");
            if (s != null) {
                return scalar(s);
            }
        }
        return inherited;
    }





    private static void checkUnique(List<String> names, List<Located> nodes, String what) {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (!seen.add(names.get(i))) {
                throw new InvalidInputException(nodes.get(i).pos(), what + " '" + names.get(i) + "' is defined twice");
            }
        }
    }
}
