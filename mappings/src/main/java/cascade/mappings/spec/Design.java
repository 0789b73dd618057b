package cascade.mappings.spec;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.InvalidInputException;
import cascade.einsum.Resources;
import cascade.einsum.SourcePos;
import cascade.einsum.TensorDecl;
import cascade.einsum.Einsum;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.ArchitectureLoader;
import cascade.hw.YamlNodes;
import cascade.hw.YamlNodes.Located;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A design names one thing a user or a test can estimate: an architecture, a cascade, the unit
 * each Einsum runs on, and fused groups (whose intermediates stay on chip when they fit, whose
 * units may be pipelined, and which may be tiled over a rank). Loop nests are not part of it: the
 * mapper finds them for each workload. Presets under {@code src/main/resources/designs}.
 *
 * <p>{@code assumptions}: the {@link Assumption}s the design makes (for {@link Assumption#FOLDED_SCALE},
 * the Einsums folded away; otherwise an empty list); {@code architecture} is {@code specified} as they
 * have it, and it is what every model reads. {@code sparsity}: what a unit or an Einsum does with
 * ineffectual work. {@code storedBits}: inputs and outputs held in DRAM narrower than the word
 * ({@link #withStoredBits}).
 */
public record Design(String name, Architecture architecture, Cascade cascade, Map<String, String> units,
                     List<Group> groups, Map<Assumption, List<String>> assumptions, Architecture specified,
                     Map<String, SparsityPolicy> sparsity, Map<String, Integer> storedBits) {

    /** A design that makes no assumption. */
    public Design(String name, Architecture architecture, Cascade cascade, Map<String, String> units, List<Group> groups) {
        this(name, architecture, cascade, units, groups, Map.of(), architecture, Map.of(), Map.of());
    }

    /** A design on {@code specified} hardware, which its assumptions then change. */
    public static Design of(String name, Architecture specified, Cascade cascade, Map<String, String> units,
                            List<Group> groups, Map<Assumption, List<String>> assumptions) {
        return of(name, specified, cascade, units, groups, assumptions, Map.of());
    }

    /** As {@link #of(String, Architecture, Cascade, Map, List, Map)}, with sparsity policies per unit or Einsum. */
    public static Design of(String name, Architecture specified, Cascade cascade, Map<String, String> units,
                            List<Group> groups, Map<Assumption, List<String>> assumptions,
                            Map<String, SparsityPolicy> sparsity) {
        return of(name, specified, cascade, units, groups, assumptions, sparsity, Map.of());
    }

    private static Design of(String name, Architecture specified, Cascade cascade, Map<String, String> units,
                             List<Group> groups, Map<Assumption, List<String>> assumptions,
                             Map<String, SparsityPolicy> sparsity, Map<String, Integer> storedBits) {
        Architecture a = specified;
        for (Assumption x : assumptions.keySet()) {
            a = x.apply(a);
        }
        return new Design(name, a, cascade, units, groups, Map.copyOf(assumptions), specified, Map.copyOf(sparsity),
            Map.copyOf(storedBits));
    }

    /**
     * This design with these inputs and outputs held in DRAM at {@code bits} each ({@code storedBits}:
     * narrower than the architecture's word, as a quantised key cache is): their DRAM transfers
     * move {@code ceil(elements × bits / wordBits)} words, in time and in energy (and so do the writes
     * that land them in the level they are kept at); the arrays compute at the word's width.
     *
     * @throws IllegalArgumentException for a tensor the cascade has not, one not held in DRAM, or
     *                                  a width outside 1 … the word
     */
    public Design withStoredBits(Map<String, Integer> bits) {
        for (var b : bits.entrySet()) {
            TensorDecl t = cascade.tensor(b.getKey());
            if (t == null) {
                throw new IllegalArgumentException("no tensor '" + b.getKey() + "' in " + cascade.name());
            }
            if (t.role() == TensorDecl.Role.INTERMEDIATE) {
                throw new IllegalArgumentException("'" + b.getKey() + "' is an intermediate; only inputs and outputs are "
                    + "held in DRAM at a width of their own");
            }
            if (b.getValue() < 1 || b.getValue() > architecture.wordBits()) {
                throw new IllegalArgumentException("a width of " + b.getValue() + " bits for " + b.getKey() + "; "
                    + architecture.name() + "'s word is " + architecture.wordBits() + " bits");
            }
        }
        Map<String, Integer> widths = new LinkedHashMap<>(storedBits);
        widths.putAll(bits);
        return of(name, specified, cascade, units, groups, assumptions, sparsity, widths);
    }

    /** DRAM words that {@code elements} of {@code tensor} take: fewer than the elements where it is stored narrower. */
    public long dramWords(String tensor, long elements) {
        Integer bits = storedBits.get(tensor);
        if (bits == null || bits == architecture.wordBits()) {
            return elements;
        }
        return java.math.BigInteger.valueOf(elements).multiply(java.math.BigInteger.valueOf(bits))
            .add(java.math.BigInteger.valueOf(architecture.wordBits() - 1))
            .divide(java.math.BigInteger.valueOf(architecture.wordBits())).longValueExact();
    }

    /** This design without the assumptions {@code off} (those it does not make are ignored). */
    public Design without(java.util.Collection<Assumption> off) {
        Map<Assumption, List<String>> kept = new java.util.EnumMap<>(Assumption.class);
        kept.putAll(assumptions);
        off.forEach(kept::remove);
        Design d = of(name, specified, cascade, units, groups, kept, sparsity, storedBits);
        // Summaries no longer maintained elsewhere are computed: they need units, by the default rule.
        return off.contains(Assumption.MAINTAINED_SUMMARIES) && !maintained().isEmpty() ? d.withCascade(cascade) : d;
    }

    /** This design, its assumptions and all, on other hardware (a sweep's point). */
    public Design onHardware(Architecture hardware) {
        return of(name, hardware, cascade, units, groups, assumptions, sparsity, storedBits);
    }

    /** What Einsum {@code einsum} does with ineffectual work: its own policy, else its unit's, else {@link SparsityPolicy#BLOCKS}. */
    public SparsityPolicy sparsityOf(String einsum) {
        SparsityPolicy own = sparsity.get(einsum);
        if (own != null) {
            return own;
        }
        return sparsity.getOrDefault(units.get(einsum), SparsityPolicy.BLOCKS);
    }

    /** This design with every unit's sparsity policy {@code policy} (the policies per Einsum kept). */
    public Design withSparsity(SparsityPolicy policy) {
        Map<String, SparsityPolicy> all = new LinkedHashMap<>();
        architecture.compute().forEach(u -> all.put(u.name(), policy));
        return of(name, specified, cascade, units, groups, assumptions, all, storedBits);
    }

    /** The Einsums an assumption takes away (they cost nothing and do not run). */
    public List<String> folded() {
        return assumptions.getOrDefault(Assumption.FOLDED_SCALE, List.of());
    }

    /** The Einsums whose outputs are kept up to date elsewhere ({@link Assumption#MAINTAINED_SUMMARIES}): read, not run. */
    public List<String> maintained() {
        return assumptions.getOrDefault(Assumption.MAINTAINED_SUMMARIES, List.of());
    }

    /**
     * Einsums run together: pipelined units overlap; intermediates stay at {@code onChip} unless
     * {@code keep} puts them elsewhere; the group runs once per {@code tile} of a rank (the state it
     * keeps covers a tile) in {@code block}s of that rank. {@code keep} maps a tensor to a storage
     * level, or to {@link #STREAM}: passed from producer to consumers through the units' own
     * registers and FIFOs, never stored whole. Inputs named in {@code keep} are loaded from DRAM
     * once per tile. {@code inFlight}: how many runs (blocks at a step) may be open at once between
     * pipelined units, i.e. the depth of the FIFOs between them in runs; {@code stepsInFlight}: how
     * many of those may be runs of the recurrence's steps (a controller that sequences a block's
     * steps one by one while the run after them drains, as the RTL core's; at most {@code inFlight}).
     *
     * <p>{@code chains}: Einsums that run as one pass, element by element. A member reads an earlier
     * member's output as it is produced (a stream): it starts once the first element is out of its
     * feeder's pipeline, computes each element in the stage where the feeder's lands, and ends no
     * earlier than the feeder. On its feeder's unit it adds no issue cycles of its own (the lane's
     * other operators work in the same pass) unless it has more elements than the feeder.
     */
    public record Group(List<String> einsums, boolean pipelined, String onChip, Map<String, Long> tile,
                        Map<String, Long> block, Map<String, String> keep, int inFlight, Dataflow dataflow,
                        List<List<String>> chains, int stepsInFlight) {
        public static final String STREAM = "stream";
        /** A tile size of {@code fit}: the lowering takes the largest that fits (see the lowering). */
        public static final long FIT = -1;

        public Group(List<String> einsums, boolean pipelined, String onChip, Map<String, Long> tile, Map<String, Long> block,
                     Map<String, String> keep, int inFlight) {
            this(einsums, pipelined, onChip, tile, block, keep, inFlight, null, List.of(), inFlight);
        }

        /** The earlier members of {@code einsum}'s chain whose outputs it reads (none if it is in no chain). */
        public List<String> streamsInto(Cascade cascade, String einsum) {
            for (List<String> chain : chains) {
                int at = chain.indexOf(einsum);
                if (at > 0) {
                    var read = MappingValidator.tensorRanks(cascade.producer(einsum)).keySet();
                    return chain.subList(0, at).stream().filter(read::contains).toList();
                }
            }
            return List.of();
        }
    }

    /**
     * A group whose tiling and residency come per workload from FLAT's dataflow table: {@code rows}
     * is the rank its {@code P1} tiles (a whole head's when the row says so), {@code slice} the
     * tensor whose unbuffered share spills.
     */
    public record Dataflow(FlatDataflows table, String rows, String slice) {
    }

    /**
     * A design for any cascade: each Einsum on the first unit that has its operators (the 2D
     * array for contractions where it can), all in one pipelined group kept on {@code onChip},
     * tiled and blocked as given. For checking cascades the presets do not cover.
     */
    public static Design generic(Cascade cascade, Architecture arch, String onChip, Map<String, Long> tile,
                                 Map<String, Long> block) {
        Map<String, String> units = new LinkedHashMap<>();
        for (var e : cascade.einsums()) {
            java.util.Set<String> ops = MappingValidator.requiredOps(e);
            var fit = arch.compute().stream().filter(u -> ops.stream().allMatch(o -> MappingValidator.supports(u, o)))
                .sorted(java.util.Comparator.comparing(u -> ops.contains("mac") == (u.kind() == ComputeArray.Kind.ARRAY_2D) ? 0 : 1))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no unit of " + arch.name() + " has the operators "
                    + ops + " of " + e.output()));
            units.put(e.output(), fit.name());
        }
        Map<String, Long> blocks = new LinkedHashMap<>(tile);
        blocks.putAll(block);
        Group g = new Group(cascade.einsums().stream().map(Einsum::output).toList(), true, onChip,
            Map.copyOf(tile), blocks, Map.of(), 2);
        return new Design(cascade.name() + "-generic", arch, cascade, units, List.of(g));
    }

    /**
     * This design running {@code other} instead of its own cascade: an Einsum of the same name keeps
     * its unit and group where its unit has its operators; any other is bound by default, a contraction
     * (a sum of products) to the largest 2D array that has its operators, a top-k to a top-k engine,
     * everything else to the vector unit with the most lanes that has them, and it runs on its own. Groups keep the members
     * {@code other} has and drop what they would keep of tensors it lacks (and a dataflow table that
     * places such tensors: the group then runs a head at a time); an assumption that folds
     * away an Einsum {@code other} lacks folds nothing.
     *
     * @throws IllegalArgumentException naming the Einsum no unit of the architecture can run
     */
    public Design withCascade(Cascade other) {
        Map<String, String> bound = new LinkedHashMap<>();
        for (Einsum e : other.einsums()) {
            if (maintained().contains(e.output())) {
                continue; // kept up to date elsewhere: not run, so not bound
            }
            java.util.Set<String> ops = MappingValidator.requiredOps(e);
            String own = units.get(e.output());
            if (own != null && ops.stream().allMatch(o -> MappingValidator.supports(architecture.compute(own), o))) {
                bound.put(e.output(), own);
                continue;
            }
            ComputeArray.Kind kind = e.reduction() instanceof Einsum.TopK ? ComputeArray.Kind.TOPK
                : ops.contains("mac") ? ComputeArray.Kind.ARRAY_2D : ComputeArray.Kind.ARRAY_1D;
            var fit = architecture.compute().stream()
                .filter(u -> ops.stream().allMatch(o -> MappingValidator.supports(u, o)))
                .sorted(java.util.Comparator.comparing((ComputeArray u) -> u.kind() == kind ? 0 : 1)
                    .thenComparing(u -> -u.pes()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no unit of " + architecture.name()
                    + " has the operators " + ops + " that " + e.output() + " of " + other.name() + " needs"));
            bound.put(e.output(), fit.name());
        }
        List<Group> kept = new ArrayList<>();
        for (Group g : groups) {
            List<String> members = g.einsums().stream().filter(bound::containsKey)
                .filter(e -> bound.get(e).equals(units.get(e))).toList();
            if (members.isEmpty()) {
                continue;
            }
            Map<String, String> keep = new LinkedHashMap<>();
            g.keep().forEach((t, where) -> {
                boolean touched = members.stream().anyMatch(e -> e.equals(t)
                    || MappingValidator.tensorRanks(other.producer(e)).containsKey(t));
                if (touched && (!where.equals(Group.STREAM)
                        || other.tensor(t).role() == TensorDecl.Role.INTERMEDIATE)) {
                    keep.put(t, where);
                }
            });
            // A dataflow table that places tensors the other cascade lacks, or slices one it does not compute, does not apply.
            Dataflow flow = g.dataflow();
            if (flow != null && (!members.contains(flow.slice()) || flow.table().rows().stream()
                    .anyMatch(r -> r.onChip().keySet().stream().anyMatch(t -> other.tensor(t) == null)))) {
                flow = null;
            }
            // A tile or block over a rank the other cascade lacks (a decode step has no P) does not apply.
            Map<String, Long> tile = new LinkedHashMap<>(g.tile());
            tile.keySet().retainAll(other.ranks().keySet());
            Map<String, Long> block = new LinkedHashMap<>(g.block());
            block.keySet().retainAll(other.ranks().keySet());
            // A chain keeps the members the other cascade still runs here, where each still reads an earlier one.
            List<List<String>> chains = new ArrayList<>();
            for (List<String> chain : g.chains()) {
                List<String> still = new ArrayList<>();
                for (String e : chain) {
                    if (members.contains(e) && (still.isEmpty()
                            || still.stream().anyMatch(MappingValidator.tensorRanks(other.producer(e))::containsKey))) {
                        still.add(e);
                    }
                }
                if (still.size() > 1) {
                    chains.add(List.copyOf(still));
                }
            }
            kept.add(new Group(members, g.pipelined(), g.onChip(), java.util.Collections.unmodifiableMap(tile),
                java.util.Collections.unmodifiableMap(block), keep, g.inFlight(), flow, List.copyOf(chains),
                g.stepsInFlight()));
        }
        Map<Assumption, List<String>> still = new java.util.EnumMap<>(Assumption.class);
        assumptions.forEach((a, names) -> still.put(a, names.stream()
            .filter(x -> bound.containsKey(x) || (a == Assumption.MAINTAINED_SUMMARIES && other.producer(x) != null)).toList()));
        Map<String, SparsityPolicy> policies = new LinkedHashMap<>(sparsity);
        policies.keySet().removeIf(k -> architecture.compute(k) == null && !bound.containsKey(k));
        Map<String, Integer> widths = new LinkedHashMap<>(storedBits);
        widths.keySet().removeIf(t -> other.tensor(t) == null || other.tensor(t).role() == TensorDecl.Role.INTERMEDIATE);
        return of(name, specified, other, bound, List.copyOf(kept), still, policies, widths);
    }

    public static List<String> presetNames() {
        return Resources.index(Design.class, "/designs");
    }

    public static Design preset(String name) {
        if (!presetNames().contains(name)) {
            throw new IllegalArgumentException("no design preset named " + name);
        }
        Design d = PRESETS.get(name);
        if (d == null) { // not computeIfAbsent: a design preset's parse may load another preset
            d = parse("designs/" + name + ".yaml", Resources.read(Design.class, "/designs/" + name + ".yaml"), null);
            PRESETS.putIfAbsent(name, d);
        }
        return d;
    }

    /** Parsed once: a design is immutable, and sweeps name the same presets again and again. */
    private static final java.util.Map<String, Design> PRESETS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A preset's name, or a file relative to the design file's folder. */
    private static Architecture architecture(Path folder, Located node) {
        List<String> presets = ArchitectureLoader.presetNames();
        return presetOrFile(folder, node, presets, ArchitectureLoader::preset, ArchitectureLoader::load,
            "architecture preset", "; presets: " + String.join(", ", presets), "architecture");
    }

    /** A library cascade's name, or a cascade file relative to the design file's folder. */
    private static Cascade cascade(Path folder, Located node) {
        return presetOrFile(folder, node, CascadeLibrary.names(), CascadeLibrary::load, Cascade::load, "library cascade",
            "", "cascade");
    }

    private interface FileReader<T> {
        T read(Path path) throws IOException;
    }

    /** What {@code node} names: one of {@code presets}, else a file beside the design; a located error for neither. */
    private static <T> T presetOrFile(Path folder, Located node, List<String> presets,
                                      java.util.function.Function<String, T> preset, FileReader<T> file, String presetKind,
                                      String presetList, String kind) {
        String name = scalar(node);
        if (presets.contains(name)) {
            return preset.apply(name);
        }
        Path path = besideDesign(folder, name);
        if (path == null || !Files.isRegularFile(path)) {
            throw new InvalidInputException(node.pos(), "no " + presetKind + " or file '" + name + "'"
                + (path == null ? "" : " (looked for " + path + ")") + presetList);
        }
        try {
            return file.read(path);
        } catch (IOException e) {
            throw new InvalidInputException(node.pos(), "cannot read " + kind + " " + path + ": " + e.getMessage());
        }
    }

    /** {@code name} resolved against the design file's folder, or null for a preset (read from the classpath). */
    private static Path besideDesign(Path folder, String name) {
        return folder == null ? null : folder.resolve(name).normalize();
    }

    /**
     * A design file's text; an architecture or cascade it names by path is read relative to the
     * file's folder.
     */
    public static Design parse(String file, String text) {
        Path folder = Path.of(file).toAbsolutePath().getParent();
        return parse(file, text, folder == null ? Path.of("").toAbsolutePath() : folder);
    }

    private static Design parse(String file, String text, Path folder) {
        Located root = compose(file, text, "a design");
        Map<String, Located> m = mapping(root, List.of("design", "architecture", "cascade", "units", "groups",
            "assumptions", "sparsity", "storedBits"), "a design");
        String name = scalar(require(m, "design", root));
        Located archNode = require(m, "architecture", root);
        Architecture arch = architecture(folder, archNode);
        Located cascadeNode = require(m, "cascade", root);
        Cascade cascade = cascade(folder, cascadeNode);
        Map<String, String> units = new LinkedHashMap<>();
        Located unitsNode = require(m, "units", root);
        for (var u : mapping(unitsNode, null, "the units of the Einsums").entrySet()) {
            if (cascade.producer(u.getKey()) == null) {
                throw new InvalidInputException(u.getValue().pos(), "no Einsum computes '" + u.getKey() + "' in " + cascade.name());
            }
            if (arch.compute(scalar(u.getValue())) == null) {
                throw new InvalidInputException(u.getValue().pos(), "unknown compute unit '" + scalar(u.getValue()) + "'");
            }
            units.put(u.getKey(), scalar(u.getValue()));
        }
        List<Group> groups = new ArrayList<>();
        if (m.containsKey("groups")) {
            for (Located g : sequence(m.get("groups"), "groups")) {
                Map<String, Located> gm = mapping(g, List.of("einsums", "pipelined", "onChip", "tile", "block", "keep",
                    "inFlight", "stepsInFlight", "dataflows", "chains"),
                    "a group");
                List<String> members = new ArrayList<>();
                for (Located e : sequence(require(gm, "einsums", g), "Einsums")) {
                    if (!units.containsKey(scalar(e))) {
                        throw new InvalidInputException(e.pos(), "no Einsum computes '" + scalar(e) + "'");
                    }
                    members.add(scalar(e));
                }
                boolean pipelined = gm.containsKey("pipelined") && Boolean.parseBoolean(scalar(gm.get("pipelined")));
                Located onChip = require(gm, "onChip", g);
                if (arch.storage(scalar(onChip)) == null) {
                    throw new InvalidInputException(onChip.pos(), "unknown storage level '" + scalar(onChip) + "'");
                }
                Map<String, Long> tile = new LinkedHashMap<>();
                if (gm.containsKey("tile")) {
                    for (var t : mapping(gm.get("tile"), null, "the tile").entrySet()) {
                        tile.put(t.getKey(), scalar(t.getValue()).equals("fit") ? Group.FIT
                            : positiveWhole(t.getValue(), "the tile of " + t.getKey()));
                    }
                }
                Map<String, Long> block = new LinkedHashMap<>(tile);
                block.values().removeIf(v -> v == Group.FIT);
                if (gm.containsKey("block")) {
                    for (var b : mapping(gm.get("block"), null, "the block").entrySet()) {
                        block.put(b.getKey(), positiveWhole(b.getValue(), "the block of " + b.getKey()));
                    }
                }
                Map<String, String> keep = new LinkedHashMap<>();
                if (gm.containsKey("keep")) {
                    for (var k : mapping(gm.get("keep"), null, "the tensors kept").entrySet()) {
                        boolean read = members.stream().anyMatch(e -> e.equals(k.getKey())
                            || MappingValidator.tensorRanks(cascade.producer(e)).containsKey(k.getKey()));
                        if (!read) {
                            throw new InvalidInputException(k.getValue().pos(), "no Einsum of the group reads or writes '"
                                + k.getKey() + "'");
                        }
                        String where = scalar(k.getValue());
                        if (!where.equals(Group.STREAM) && arch.storage(where) == null) {
                            throw new InvalidInputException(k.getValue().pos(), "unknown storage level '" + where
                                + "' (or 'stream')");
                        }
                        if (where.equals(Group.STREAM) && cascade.tensor(k.getKey()).role() != TensorDecl.Role.INTERMEDIATE) {
                            throw new InvalidInputException(k.getValue().pos(), "only an intermediate can stream; '"
                                + k.getKey() + "' is an " + cascade.tensor(k.getKey()).role().name().toLowerCase(java.util.Locale.ROOT));
                        }
                        keep.put(k.getKey(), where);
                    }
                }
                int inFlight = gm.containsKey("inFlight") ? Math.toIntExact(positiveWhole(gm.get("inFlight"), "inFlight")) : 2;
                Dataflow dataflow = gm.containsKey("dataflows") ? dataflow(folder, gm.get("dataflows"), cascade, members) : null;
                if (dataflow != null && gm.containsKey("tile")) {
                    throw new InvalidInputException(gm.get("tile").pos(), "a group whose dataflows come from a table takes "
                        + "its tile from it");
                }
                for (String key : List.of("chains", "stepsInFlight")) {
                    // Both describe Einsums that run at once; an unpipelined group runs them one after another.
                    if (gm.containsKey(key) && !pipelined) {
                        throw new InvalidInputException(gm.get(key).pos(), key + " applies to a pipelined group "
                            + "(pipelined: true): this group runs its Einsums one after another");
                    }
                }
                int stepsInFlight = inFlight;
                if (gm.containsKey("stepsInFlight")) {
                    stepsInFlight = Math.toIntExact(positiveWhole(gm.get("stepsInFlight"), "stepsInFlight"));
                    if (stepsInFlight > inFlight) {
                        throw new InvalidInputException(gm.get("stepsInFlight").pos(), "stepsInFlight " + stepsInFlight
                            + " is more than the group's inFlight " + inFlight);
                    }
                }
                List<List<String>> chains = gm.containsKey("chains") ? chains(gm.get("chains"), cascade, members)
                    : List.of();
                groups.add(new Group(List.copyOf(members), pipelined, scalar(onChip), tile, block, keep, inFlight, dataflow,
                    chains, stepsInFlight));
            }
        }
        Map<Assumption, List<String>> assumptions = new java.util.EnumMap<>(Assumption.class);
        if (m.containsKey("assumptions")) {
            for (var a : mapping(m.get("assumptions"), null, "the assumptions").entrySet()) {
                Assumption which;
                try {
                    which = Assumption.named(a.getKey());
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(keyPos(m.get("assumptions"), a.getKey()), e.getMessage());
                }
                if (which.namesEinsums()) {
                    List<String> folded = new ArrayList<>();
                    for (Located e : sequence(a.getValue(), "the Einsums " + a.getKey() + " names")) {
                        if (cascade.producer(scalar(e)) == null) {
                            throw new InvalidInputException(e.pos(), "no Einsum computes '" + scalar(e) + "'");
                        }
                        folded.add(scalar(e));
                    }
                    assumptions.put(which, List.copyOf(folded));
                } else {
                    String v = scalar(a.getValue());
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new InvalidInputException(a.getValue().pos(), a.getKey() + " is true or false, found '" + v + "'");
                    }
                    if (v.equals("true")) {
                        assumptions.put(which, List.of());
                    }
                }
            }
        }
        List<String> notRun = assumptions.getOrDefault(Assumption.MAINTAINED_SUMMARIES, List.of());
        for (var e : cascade.einsums()) {
            if (!units.containsKey(e.output()) && !notRun.contains(e.output())) {
                throw new InvalidInputException(unitsNode.pos(), "Einsum " + e.output() + " has no unit");
            }
        }
        Map<String, SparsityPolicy> sparsity = new LinkedHashMap<>();
        if (m.containsKey("sparsity")) {
            for (var p : mapping(m.get("sparsity"), null, "the sparsity policies").entrySet()) {
                if (arch.compute(p.getKey()) == null && !units.containsKey(p.getKey())) {
                    throw new InvalidInputException(keyPos(m.get("sparsity"), p.getKey()), "'" + p.getKey()
                        + "' is neither a compute unit of " + arch.name() + " nor an Einsum of " + cascade.name());
                }
                try {
                    sparsity.put(p.getKey(), SparsityPolicy.named(scalar(p.getValue())));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(p.getValue().pos(), e.getMessage());
                }
            }
        }
        Design d = of(name, arch, cascade, units, List.copyOf(groups), assumptions, sparsity);
        if (m.containsKey("storedBits")) {
            for (var b : mapping(m.get("storedBits"), null, "the stored widths").entrySet()) {
                long bits = positiveWhole(b.getValue(), "the stored width of " + b.getKey());
                try {
                    d = d.withStoredBits(Map.of(b.getKey(), Math.toIntExact(Math.min(bits, Integer.MAX_VALUE))));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(b.getValue().pos(), e.getMessage());
                }
            }
        }
        return d;
    }

    /**
     * A group's {@code chains}: lists of its members, each after the first reading an earlier one's
     * output, no member in two chains.
     */
    private static List<List<String>> chains(Located node, Cascade cascade, List<String> members) {
        List<List<String>> chains = new ArrayList<>();
        java.util.Set<String> chained = new java.util.HashSet<>();
        for (Located c : sequence(node, "chains")) {
            List<String> chain = new ArrayList<>();
            for (Located e : sequence(c, "a chain")) {
                String name = scalar(e);
                if (!members.contains(name)) {
                    throw new InvalidInputException(e.pos(), "'" + name + "' is not an Einsum of the group");
                }
                if (!chained.add(name)) {
                    throw new InvalidInputException(e.pos(), "'" + name + "' is in two chains");
                }
                Einsum consumer = cascade.producer(name);
                var read = MappingValidator.tensorRanks(consumer);
                if (!chain.isEmpty() && chain.stream().noneMatch(read::containsKey)) {
                    throw new InvalidInputException(e.pos(), "'" + name + "' reads no earlier Einsum of its chain "
                        + chain);
                }
                for (String feeder : chain) {
                    // A stream gives one element of the feeder per point: a reader that needs more (a result
                    // over a rank it loops over, as a maximum all the scores need) must wait for it whole.
                    if (read.containsKey(feeder) && !read.get(feeder).containsAll(consumer.iterationRanks())) {
                        throw new InvalidInputException(e.pos(), "'" + name + "' needs " + feeder
                            + " whole before its first element (it reads " + feeder + read.get(feeder)
                            + " over " + consumer.iterationRanks() + "): it cannot stream from it");
                    }
                }
                chain.add(name);
            }
            if (chain.size() < 2) {
                throw new InvalidInputException(c.pos(), "a chain needs two Einsums or more");
            }
            chains.add(List.copyOf(chain));
        }
        return List.copyOf(chains);
    }

    private static Dataflow dataflow(Path folder, Located node, Cascade cascade, List<String> members) {
        Map<String, Located> m = mapping(node, List.of("table", "where", "rows", "slice"), "the dataflows");
        Located table = require(m, "table", node);
        String name = scalar(table);
        String text;
        String file;
        if (folder == null) {
            file = "designs/" + name;
            try {
                text = Resources.read(Design.class, "/designs/" + name);
            } catch (RuntimeException e) {
                throw new InvalidInputException(table.pos(), "no table '" + name + "' among the presets");
            }
        } else {
            Path path = folder.resolve(name).normalize();
            file = path.toString();
            try {
                text = Files.readString(path);
            } catch (IOException e) {
                throw new InvalidInputException(table.pos(), "cannot read the dataflow table " + path + ": " + e.getMessage());
            }
        }
        Map<String, String> where = new LinkedHashMap<>();
        if (m.containsKey("where")) {
            mapping(m.get("where"), null, "the rows to take").forEach((k, v) -> where.put(k, scalar(v)));
        }
        String rows = scalar(require(m, "rows", node));
        if (!cascade.ranks().containsKey(rows)) {
            throw new InvalidInputException(m.get("rows").pos(), "no rank " + rows + " in " + cascade.name());
        }
        String slice = scalar(require(m, "slice", node));
        if (!members.contains(slice)) {
            throw new InvalidInputException(m.get("slice").pos(), "no Einsum of the group computes '" + slice + "'");
        }
        FlatDataflows t = FlatDataflows.parse(file, text, where);
        for (FlatDataflows.Row r : t.rows()) {
            for (String tensor : r.onChip().keySet()) {
                if (cascade.tensor(tensor) == null) {
                    throw new InvalidInputException(r.pos(), "the table places " + tensor + ", which " + cascade.name()
                        + " has not");
                }
            }
        }
        return new Dataflow(t, rows, slice);
    }

    private static SourcePos keyPos(Located mapping, String key) {
        Located k = YamlNodes.keys(mapping).get(key);
        return k == null ? mapping.pos() : k.pos();
    }
}
