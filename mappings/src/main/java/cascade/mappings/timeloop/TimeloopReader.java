package cascade.mappings.timeloop;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.keys;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.Figure;
import cascade.hw.StorageLevel;
import cascade.hw.YamlNodes.Located;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Timeloop v0.4 inputs — an architecture ({@code !Container} / {@code !Component} tree,
 * {@code spatial} meshes), a problem (dimensions, data spaces with projections such as
 * {@code [R],[P]}, coefficients, {@code read_write}), a mapping (temporal and spatial factors,
 * permutations, {@code dataspace} keep and bypass) and, optionally, Accelergy's energy reference
 * table — into Cascade's own types: the problem becomes a cascade of one Einsum with affine
 * subscripts, the architecture an {@link Architecture}, the mapping an
 * {@link Mapping.EinsumMapping}. Nothing of Timeloop's format is kept past this class but what
 * Cascade's types have no field for and Timeloop's counting needs ({@link Inputs#blockWords},
 * the leakage energy, separate read and write bandwidths).
 *
 * <p>Refused by name with a located message: features Cascade does not model
 * ({@code sparse_optimizations}, jinja templates), unknown classes and
 * attributes, factors that do not cover the problem, targets that do not exist.
 */
public final class TimeloopReader {
    private TimeloopReader() {
    }

    /** Everything one Timeloop model run needs, in Cascade's types. */
    public record Inputs(Cascade cascade, Map<String, Long> sizes, Architecture architecture, Mapping.EinsumMapping mapping,
                         Map<String, Long> blockWords, Map<String, Double> leakPj,
                         Map<String, double[]> readWriteBandwidth) {
        public String einsum() {
            return mapping.output();
        }
    }

    /** The storage classes Timeloop's built-in models and Accelergy's primitives use. */
    static final Set<String> STORAGE_CLASSES = Set.of("DRAM", "SRAM", "regfile", "smartbuffer_SRAM", "smartbuffer_RF",
        "storage", "buffet", "cache");
    static final Set<String> COMPUTE_CLASSES = Set.of("intmac", "fpmac", "mac", "compute");
    static final List<String> STORAGE_ATTRIBUTES = List.of("depth", "width", "datawidth", "block_size", "n_banks",
        "read_bandwidth", "write_bandwidth", "shared_bandwidth", "multiple_buffering", "cluster_size", "min_utilization",
        "reduction_supported", "allow_overbooking", "has_power_gating", "power_gated_at", "type", "technology",
        "global_cycle_seconds", "update_fifo_depth", "metadata_storage_width", "latency");
    static final List<String> COMPUTE_ATTRIBUTES = List.of("width", "datawidth", "technology", "global_cycle_seconds",
        "has_power_gating", "power_gated_at", "multiplier_width", "adder_width");
    /**
     * The top-level sections of Timeloop's inputs: one file may hold several (Timeloop merges its
     * input files, and its front end dumps them all into one), so each reader takes its own.
     */
    static final List<String> SECTIONS = List.of("architecture", "problem", "mapping", "mapper", "mapspace",
        "mapspace_constraints", "architecture_constraints", "compound_components", "globals", "variables", "components",
        "dumped_by_timeloop_front_end");
    static final List<String> CONTAINER_ATTRIBUTES = List.of("technology", "global_cycle_seconds", "has_power_gating",
        "power_gated_at", "version", "datawidth");

    /** The files' inputs; without a mapping (null), every loop at the outermost level, for a mapper to start from. */
    public static Inputs read(Path arch, Path problem, Path mappingFile, Path ert) throws IOException {
        return parse(arch.toString(), text(arch), problem.toString(), text(problem),
            mappingFile == null ? null : mappingFile.toString(), mappingFile == null ? null : text(mappingFile),
            ert == null ? null : ert.toString(), ert == null ? null : text(ert));
    }

    /** A Timeloop input file's text; a missing file or a jinja template is a located error. */
    public static String text(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new InvalidInputException(new SourcePos(p.toString(), 1, 1), "no such file");
        }
        String s = Files.readString(p, StandardCharsets.UTF_8);
        int jinja = Math.max(s.indexOf("{{"), s.indexOf("{%"));
        if (jinja >= 0) {
            String before = s.substring(0, jinja);
            int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
            int col = jinja - before.lastIndexOf('\n');
            throw new InvalidInputException(new SourcePos(p.toString(), line, col), "jinja templates are not supported; "
                + "render the file first (Timeloop's front end does: timeloop-model … writes the rendered inputs)");
        }
        return s;
    }

    public static Inputs parse(String archFile, String archText, String problemFile, String problemText, String mapFile,
                               String mapText, String ertFile, String ertText) {
        Problem problem = problem(problemFile, problemText);
        Hierarchy h = hierarchy(archFile, archText);
        Map<String, double[]> ert = ertText == null ? Map.of() : ert(ertFile, ertText, h);
        Architecture arch = architecture(h, ert);
        Mapping.EinsumMapping m = mapText == null ? everythingOutermost(h, problem) : readMapping(mapFile, mapText, h, problem);
        Map<String, Long> blocks = new LinkedHashMap<>();
        Map<String, Double> leak = new LinkedHashMap<>();
        Map<String, double[]> readWrite = new LinkedHashMap<>();
        for (Level l : h.storage) {
            blocks.put(l.name, l.blockWords);
            readWrite.put(l.name, new double[] {l.readBandwidth, l.writeBandwidth});
            double[] e = ert.get(l.name);
            leak.put(l.name, e == null ? 0 : e[3]);
        }
        return new Inputs(problem.cascade, problem.sizes, arch, m, blocks, leak, readWrite);
    }

    // ---- problem ----

    private record Problem(Cascade cascade, Map<String, Long> sizes, List<String> dims, String output) {
    }

    private static Problem problem(String file, String text) {
        Located root = compose(file, text, "a Timeloop problem");
        Map<String, Located> top = mapping(root, SECTIONS, "a Timeloop problem");
        Located p = require(top, "problem", root);
        Map<String, Located> pm = mapping(p, List.of("version", "shape", "instance"), "the problem");
        version(pm, p);
        Located shape = require(pm, "shape", p);
        Map<String, Located> sm = mapping(shape, List.of("name", "dimensions", "coefficients", "data_spaces", "data-spaces"),
            "the problem's shape");
        String name = sm.containsKey("name") ? scalar(sm.get("name")) : "problem";
        List<String> dims = new ArrayList<>();
        for (Located d : sequence(require(sm, "dimensions", shape), "dimensions")) {
            String dim = scalar(d);
            if (!dim.matches("[A-Z][A-Za-z0-9_]*")) {
                throw new InvalidInputException(d.pos(), "dimension '" + dim + "': Cascade's ranks start with an upper-case "
                    + "letter");
            }
            if (dims.contains(dim)) {
                throw new InvalidInputException(d.pos(), "dimension " + dim + " is listed twice");
            }
            dims.add(dim);
        }
        Map<String, Long> coefficients = new LinkedHashMap<>();
        if (sm.containsKey("coefficients")) {
            for (Located c : sequence(sm.get("coefficients"), "coefficients")) {
                Map<String, Located> cm = mapping(c, List.of("name", "default"), "a coefficient");
                coefficients.put(scalar(require(cm, "name", c)), whole(require(cm, "default", c), "a coefficient's default"));
            }
        }
        Located instance = require(pm, "instance", p);
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (var e : mapping(instance, null, "the problem's instance").entrySet()) {
            if (e.getKey().equals("densities")) {
                if (!mapping(e.getValue(), null, "densities").isEmpty()) {
                    throw new InvalidInputException(e.getValue().pos(), "densities describe sparse data, which Cascade's "
                        + "Timeloop model does not read (sparsity is issue 16's)");
                }
                continue;
            }
            if (dims.contains(e.getKey())) {
                sizes.put(e.getKey(), whole(e.getValue(), "the size of " + e.getKey()));
            } else if (coefficients.containsKey(e.getKey())) {
                coefficients.put(e.getKey(), whole(e.getValue(), "coefficient " + e.getKey()));
            }
            // Anything else Timeloop ignores (it looks up each dimension's size), and so do we: the FuseMax artifact's
            // AV problem sizes an M it does not have. A misspelt dimension still shows as one without a size.
        }
        for (String d : dims) {
            if (!sizes.containsKey(d)) {
                throw new InvalidInputException(instance.pos(), "the instance gives no size for dimension " + d);
            }
        }
        Located spaces = sm.containsKey("data_spaces") ? sm.get("data_spaces") : require(sm, "data-spaces", shape);
        StringBuilder inputs = new StringBuilder();
        String output = null;
        String outputDecl = null;
        List<String> reads = new ArrayList<>();
        List<String> extraRanks = new ArrayList<>();
        Map<String, Long> extraSizes = new LinkedHashMap<>();
        for (Located ds : sequence(spaces, "data spaces")) {
            Map<String, Located> dm = mapping(ds, List.of("name", "projection", "read_write", "read-write"), "a data space");
            String ds_name = scalar(require(dm, "name", ds));
            if (!ds_name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new InvalidInputException(ds.pos(), "data space name '" + ds_name + "' must be an identifier");
            }
            Located rw = dm.containsKey("read_write") ? dm.get("read_write") : dm.get("read-write");
            boolean readWrite = rw != null && Boolean.parseBoolean(scalar(rw));
            List<String> subscripts = new ArrayList<>();
            List<String> ranks = new ArrayList<>();
            int slot = 0;
            for (Located dim : sequence(require(dm, "projection", ds), "the projection's dimensions")) {
                List<String> terms = new ArrayList<>();
                long extent = 1;
                boolean plain = false;
                String plainDim = null;
                for (Located term : sequence(dim, "the terms of a projected dimension")) {
                    List<Located> parts = sequence(term, "a term: [DIM] or [DIM, COEFFICIENT]");
                    if (parts.isEmpty() || parts.size() > 2) {
                        throw new InvalidInputException(term.pos(), "a term is [DIM] or [DIM, COEFFICIENT]");
                    }
                    String d = scalar(parts.getFirst());
                    if (!dims.contains(d)) {
                        throw new InvalidInputException(parts.getFirst().pos(), "'" + d + "' is not a dimension of " + name
                            + " (" + String.join(", ", dims) + ")");
                    }
                    long coef = 1;
                    if (parts.size() == 2) {
                        String c = scalar(parts.getLast());
                        if (!coefficients.containsKey(c)) {
                            throw new InvalidInputException(parts.getLast().pos(), "'" + c + "' is not a coefficient of "
                                + name);
                        }
                        coef = coefficients.get(c);
                    }
                    terms.add((coef == 1 ? "" : coef + "*") + d.toLowerCase(Locale.ROOT));
                    extent += coef * (sizes.get(d) - 1);
                    plain = parts.size() == 1;
                    plainDim = d;
                }
                if (terms.size() == 1 && plain) {
                    ranks.add(plainDim);
                } else { // a projected dimension such as [R],[P]: a rank of its own, R + P - 1 long
                    String rank = ds_name.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT) + "_" + slot;
                    extraRanks.add(rank);
                    extraSizes.put(rank, extent);
                    ranks.add(rank);
                }
                subscripts.add(String.join(" + ", terms));
                slot++;
            }
            if (readWrite) {
                if (output != null) {
                    throw new InvalidInputException(ds.pos(), "a second read-write data space (" + ds_name + "); Cascade reads "
                        + "a problem with one output");
                }
                if (!subscripts.stream().allMatch(s -> s.matches("[a-z][a-z0-9_]*"))) {
                    throw new InvalidInputException(ds.pos(), "the output " + ds_name + " must be indexed by plain dimensions");
                }
                output = ds_name;
                outputDecl = ds_name + "[" + String.join(",", subscripts) + "]";
            } else {
                inputs.append("input ").append(ds_name).append("[")
                    .append(String.join(",", ranks.stream().map(r -> r.toLowerCase(Locale.ROOT)).toList()))
                    .append("] : fp32\n");
                reads.add(ds_name + "[" + String.join(",", subscripts) + "]");
            }
        }
        if (output == null) {
            throw new InvalidInputException(spaces.pos(), "no data space is read_write: Cascade needs the output");
        }
        if (reads.isEmpty()) {
            throw new InvalidInputException(spaces.pos(), "no data space is read: nothing to compute");
        }
        Set<String> outputRanks = new LinkedHashSet<>();
        for (String s : outputDecl.substring(outputDecl.indexOf('[') + 1, outputDecl.length() - 1).split(",")) {
            outputRanks.add(s.toUpperCase(Locale.ROOT));
        }
        List<String> reduced = dims.stream().filter(d -> !outputRanks.contains(d)).map(d -> d.toLowerCase(Locale.ROOT))
            .toList();
        List<String> all = new ArrayList<>(dims);
        all.addAll(extraRanks);
        String cascadeName = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        String source = "cascade " + cascadeName + " \"Timeloop problem " + name + " (" + file + ")\"\n"
            + "rank " + String.join(", ", all) + "\n" + inputs
            + "output " + outputDecl.replaceAll("\\s", "") + " : fp32\n\n"
            + outputDecl + " = " + (reduced.isEmpty() ? "" : reduced.size() == 1 ? "sum_" + reduced.getFirst() + " "
                : "sum_{" + String.join(",", reduced) + "} ")
            + String.join(" * ", reads) + "\n";
        Cascade c;
        try {
            c = Cascade.parse(file + " (as a cascade)", source);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(shape.pos(), "this problem is not an Einsum Cascade can read: "
                + e.getMessage().replace('\n', ' '));
        }
        Map<String, Long> bind = new LinkedHashMap<>(sizes);
        bind.putAll(extraSizes);
        return new Problem(c, c.sizes(bind), List.copyOf(dims), output);
    }

    // ---- architecture ----

    /** One storage component of the tree, outermost first. */
    private static final class Level {
        String name;
        String kind;
        double depth = Double.POSITIVE_INFINITY;
        long widthBits;
        long dataBits;
        long blockWords = 1;
        int instances = 1;
        long banks = 1;
        double bandwidth = Double.POSITIVE_INFINITY;
        boolean dummy;
        double readBandwidth = Double.POSITIVE_INFINITY;
        double writeBandwidth = Double.POSITIVE_INFINITY;
        List<Figure> figures = new ArrayList<>();
        SourcePos pos;
    }

    /**
     * {@code containerMesh}: each container's own mesh {meshX, meshY}; {@code storageAboveContainer}: the
     * storage level each fanning-out container's instances hang from; {@code constraints}: the
     * {@code constraints} written in the nodes themselves, by node name.
     */
    private record Hierarchy(String name, double cycleSeconds, double technologyNm, List<Level> storage, String compute,
                             int computeInstances, int meshX, int meshY, Map<String, int[]> containerMesh,
                             Map<String, String> storageAboveContainer, Map<String, Located> constraints, String file) {
        /** Instances of the next level (or of the compute) per instance of {@code level}. */
        long fanoutBelow(String level) {
            for (int i = 0; i < storage.size(); i++) {
                if (storage.get(i).name.equals(level)) {
                    long below = i + 1 < storage.size() ? storage.get(i + 1).instances : computeInstances;
                    return below / storage.get(i).instances;
                }
            }
            return 1;
        }
    }

    private static Hierarchy hierarchy(String file, String text) {
        Located root = compose(file, text, "a Timeloop architecture");
        Map<String, Located> top = mapping(root, SECTIONS, "a Timeloop architecture");
        Located a = require(top, "architecture", root);
        Map<String, Located> am = mapping(a, List.of("version", "nodes", "subtree"), "the architecture");
        version(am, a);
        if (am.containsKey("subtree")) {
            return dumped(file, am.get("subtree"));
        }
        List<Level> storage = new ArrayList<>();
        Map<String, int[]> containers = new LinkedHashMap<>();
        Map<String, Located> inline = new LinkedHashMap<>();
        Map<String, String> aboveContainer = new LinkedHashMap<>();
        String name = null;
        double cycleSeconds = 1e-9;
        double nm = 45;
        int instances = 1;
        int lastX = 1;
        int lastY = 1;
        String compute = null;
        int computeInstances = 1;
        Set<String> names = new LinkedHashSet<>();
        // A !Parallel's members are levels at one place in the hierarchy, each holding the data spaces it keeps; they
        // are read as consecutive levels in the order given, which counts the same when each keeps what the others
        // bypass (Eyeriss's three scratchpads; a single member is simply a level).
        List<Located> nodes = new ArrayList<>();
        for (Located n : sequence(require(am, "nodes", a), "architecture nodes")) {
            if (n.node().getTag().getValue().endsWith("Parallel")) {
                Map<String, Located> pm = mapping(n, List.of("nodes"), "a !Parallel");
                for (Located member : sequence(require(pm, "nodes", n), "the members of a !Parallel")) {
                    if (!member.node().getTag().getValue().endsWith("Component")) {
                        throw new InvalidInputException(member.pos(), "a !Parallel's members are !Components");
                    }
                    nodes.add(member);
                }
            } else {
                nodes.add(n);
            }
        }
        for (Located n : nodes) {
            String tag = n.node().getTag().getValue();
            boolean container = tag.endsWith("Container");
            boolean component = tag.endsWith("Component");
            if (!container && !component) {
                throw new InvalidInputException(n.pos(), "unknown node class '" + tag + "'; expected !Container or !Component");
            }
            if (compute != null) {
                throw new InvalidInputException(n.pos(), "a node below the compute component " + compute);
            }
            Map<String, Located> nm0 = mapping(n, List.of("name", "class", "subclass", "attributes", "spatial", "constraints",
                "sparse_optimizations", "area_share", "required_actions", "enabled"), container ? "a !Container" : "a !Component");
            if (nm0.containsKey("sparse_optimizations")) {
                throw new InvalidInputException(keys(n).get("sparse_optimizations").pos(), "sparse_optimizations are not read "
                    + "(Cascade's sparsity is issue 16's); remove them to model the dense design");
            }
            String nodeName = scalar(require(nm0, "name", n));
            if (!names.add(nodeName)) {
                throw new InvalidInputException(nm0.get("name").pos(), "two nodes named " + nodeName);
            }
            if (nm0.containsKey("constraints")) {
                inline.put(nodeName, nm0.get("constraints"));
            }
            int meshX = 1;
            int meshY = 1;
            if (nm0.containsKey("spatial")) {
                Map<String, Located> sp = mapping(nm0.get("spatial"), List.of("meshX", "meshY"), "a spatial mesh");
                meshX = sp.containsKey("meshX") ? (int) whole(sp.get("meshX"), "meshX") : 1;
                meshY = sp.containsKey("meshY") ? (int) whole(sp.get("meshY"), "meshY") : 1;
            }
            Map<String, Located> attrs = nm0.containsKey("attributes")
                ? mapping(nm0.get("attributes"), container ? CONTAINER_ATTRIBUTES
                    : null, "the attributes of " + nodeName) : Map.of();
            if (container) {
                if (name == null) {
                    name = nodeName;
                }
                if (attrs.containsKey("global_cycle_seconds")) {
                    cycleSeconds = positive(attrs.get("global_cycle_seconds"), "global_cycle_seconds");
                }
                if (attrs.containsKey("technology")) {
                    nm = technology(attrs.get("technology"));
                }
                instances *= meshX * meshY;
                lastX = meshX;
                lastY = meshY;
                containers.put(nodeName, new int[] {meshX, meshY});
                if (!storage.isEmpty() && meshX * meshY > 1) {
                    aboveContainer.put(nodeName, storage.getLast().name);
                }
                continue;
            }
            Located classNode = require(nm0, "class", n);
            String cls = scalar(classNode);
            instances *= meshX * meshY;
            if (COMPUTE_CLASSES.contains(cls)) {
                checkKeys(nm0.get("attributes"), attrs, COMPUTE_ATTRIBUTES, nodeName);
                compute = nodeName;
                computeInstances = instances;
                continue;
            }
            if (!STORAGE_CLASSES.contains(cls)) {
                throw new InvalidInputException(classNode.pos(), "unknown class '" + cls + "'; storage: "
                    + String.join(", ", STORAGE_CLASSES) + "; compute: " + String.join(", ", COMPUTE_CLASSES));
            }
            checkKeys(nm0.get("attributes"), attrs, STORAGE_ATTRIBUTES, nodeName);
            Level l = new Level();
            l.name = nodeName;
            l.kind = cls;
            l.pos = n.pos();
            l.instances = instances;
            l.dataBits = attrs.containsKey("datawidth") ? whole(attrs.get("datawidth"), "datawidth") : 8;
            l.widthBits = attrs.containsKey("width") ? whole(attrs.get("width"), "width") : l.dataBits;
            if (attrs.containsKey("block_size")) {
                l.blockWords = whole(attrs.get("block_size"), "block_size");
            } else {
                if (l.widthBits % l.dataBits != 0) {
                    throw new InvalidInputException(attrs.get("width").pos(), "width " + l.widthBits + " is not a whole number "
                        + "of " + l.dataBits + "-bit words");
                }
                l.blockWords = l.widthBits / l.dataBits;
            }
            if (attrs.containsKey("depth")) {
                l.depth = whole(attrs.get("depth"), "depth") * (double) l.blockWords;
            } else if (!cls.equals("DRAM")) {
                throw new InvalidInputException(n.pos(), nodeName + " (" + cls + ") has no depth");
            }
            if (attrs.containsKey("n_banks")) {
                l.banks = whole(attrs.get("n_banks"), "n_banks");
            }
            if (attrs.containsKey("shared_bandwidth")) {
                l.bandwidth = positive(attrs.get("shared_bandwidth"), "shared_bandwidth");
            }
            if (attrs.containsKey("read_bandwidth")) {
                l.readBandwidth = positive(attrs.get("read_bandwidth"), "read_bandwidth");
            }
            if (attrs.containsKey("write_bandwidth")) {
                l.writeBandwidth = positive(attrs.get("write_bandwidth"), "write_bandwidth");
            }
            l.depth = tileRoom(attrs, l.depth);
            String buffered = (buffers(attrs) == 1 ? "" : " / " + scalar(attrs.get("multiple_buffering")) + " (multiple_buffering)")
                + (overbooked(attrs) ? ", allow_overbooking: no capacity checked" : "");
            l.figures.add(new Figure(nodeName + ".depth", l.depth, "words", attrs.containsKey("depth")
                ? scalar(attrs.get("depth")) + " x " + l.blockWords + " " + l.dataBits + "-bit" + buffered : "unbounded",
                "Timeloop architecture " + file, n.pos()));
            storage.add(l);
        }
        if (compute == null) {
            throw new InvalidInputException(a.pos(), "no compute component (class " + String.join(", ", COMPUTE_CLASSES) + ")");
        }
        if (storage.isEmpty()) {
            throw new InvalidInputException(a.pos(), "no storage component above the compute");
        }
        return new Hierarchy(name == null ? "timeloop" : name, cycleSeconds, nm, storage, compute, computeInstances, lastX,
            lastY, containers, aboveContainer, inline, file);
    }

    /**
     * The form Timeloop's front end dumps ({@code subtree} of containers, each with its {@code local}
     * components named {@code NAME[1..N]}, N their instances): the FuseMax artifact's inputs.
     */
    private static Hierarchy dumped(String file, Located subtree) {
        List<Level> storage = new ArrayList<>();
        String[] compute = {null};
        int[] computeMesh = {1, 1};
        double[] clock = {1e-9, 45};
        String[] top = {null};
        dumpedNodes(file, subtree, storage, compute, computeMesh, clock, top);
        if (compute[0] == null) {
            throw new InvalidInputException(subtree.pos(), "no compute component (class " + String.join(", ", COMPUTE_CLASSES)
                + ")");
        }
        if (storage.isEmpty()) {
            throw new InvalidInputException(subtree.pos(), "no storage component above the compute");
        }
        return new Hierarchy(top[0] == null ? "timeloop" : top[0], clock[0], clock[1], storage, compute[0],
            computeMesh[0] * computeMesh[1], computeMesh[0], computeMesh[1], Map.of(), Map.of(), Map.of(), file);
    }

    static final List<String> DUMPED_ATTRIBUTES;

    static {
        List<String> a = new ArrayList<>(STORAGE_ATTRIBUTES);
        a.addAll(List.of("meshX", "meshY", "multiplier_width", "adder_width", "n_rdwr_ports", "version"));
        DUMPED_ATTRIBUTES = List.copyOf(a);
    }

    private static void dumpedNodes(String file, Located subtree, List<Level> storage, String[] compute, int[] computeMesh,
                                    double[] clock, String[] top) {
        for (Located node : sequence(subtree, "subtree nodes")) {
            Map<String, Located> m = mapping(node, List.of("name", "attributes", "local", "subtree"), "a subtree node");
            if (top[0] == null) {
                top[0] = scalar(require(m, "name", node)).replaceAll("\\[.*", "");
            }
            if (m.containsKey("attributes")) {
                Map<String, Located> attrs = mapping(m.get("attributes"), CONTAINER_ATTRIBUTES, "the attributes of "
                    + scalar(require(m, "name", node)));
                if (attrs.containsKey("global_cycle_seconds")) {
                    clock[0] = positive(attrs.get("global_cycle_seconds"), "global_cycle_seconds");
                }
                if (attrs.containsKey("technology")) {
                    clock[1] = technology(attrs.get("technology"));
                }
            }
            for (Located c : m.containsKey("local") ? sequence(m.get("local"), "local components") : List.<Located>of()) {
                Map<String, Located> cm = mapping(c, List.of("name", "class", "subclass", "attributes", "required_actions",
                    "enabled", "area_share"), "a component");
                if (compute[0] != null) {
                    throw new InvalidInputException(c.pos(), "a component below the compute component " + compute[0]);
                }
                String full = scalar(require(cm, "name", c));
                java.util.regex.Matcher nm = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(\\[1\\.\\.(\\d+)\\])?")
                    .matcher(full);
                if (!nm.matches()) {
                    throw new InvalidInputException(cm.get("name").pos(), "component name '" + full + "': expected NAME or "
                        + "NAME[1..N]");
                }
                int instances = nm.group(3) == null ? 1 : Integer.parseInt(nm.group(3));
                Located classNode = require(cm, "class", c);
                String cls = scalar(classNode);
                Map<String, Located> attrs = cm.containsKey("attributes")
                    ? mapping(cm.get("attributes"), DUMPED_ATTRIBUTES, "the attributes of " + nm.group(1)) : Map.of();
                if (COMPUTE_CLASSES.contains(cls)) {
                    compute[0] = nm.group(1);
                    computeMesh[0] = attrs.containsKey("meshX") ? (int) whole(attrs.get("meshX"), "meshX") : instances;
                    computeMesh[1] = attrs.containsKey("meshY") ? (int) whole(attrs.get("meshY"), "meshY") : 1;
                    continue;
                }
                if (!STORAGE_CLASSES.contains(cls) && !cls.equals("dummy_storage")) {
                    throw new InvalidInputException(classNode.pos(), "unknown class '" + cls + "'");
                }
                Level l = new Level();
                l.name = nm.group(1);
                l.kind = cls;
                l.pos = c.pos();
                l.instances = instances;
                l.dummy = cls.equals("dummy_storage");
                l.dataBits = attrs.containsKey("datawidth") ? whole(attrs.get("datawidth"), "datawidth") : 8;
                l.widthBits = attrs.containsKey("width") ? whole(attrs.get("width"), "width") : l.dataBits;
                l.blockWords = attrs.containsKey("block_size") ? whole(attrs.get("block_size"), "block_size")
                    : Math.max(1, l.widthBits / l.dataBits);
                if (attrs.containsKey("depth")) {
                    l.depth = whole(attrs.get("depth"), "depth") * (double) l.blockWords;
                }
                l.depth = tileRoom(attrs, l.depth);
                storage.add(l);
            }
            if (m.containsKey("subtree")) {
                dumpedNodes(file, m.get("subtree"), storage, compute, computeMesh, clock, top);
            }
        }
    }

    private static Architecture architecture(Hierarchy h, Map<String, double[]> ert) {
        List<StorageLevel> levels = new ArrayList<>();
        // Timeloop counts data elements, whatever their width (Eyeriss's partial sums are 16-bit beside 8-bit data): a
        // level's capacity is its depth in elements, and the ERT prices its accesses. The architecture's word is the
        // outermost level's, which is what its DRAM bytes are counted in.
        long wordBits = h.storage.stream().filter(l -> !l.dummy).findFirst().orElse(h.storage.getFirst()).dataBits;
        String parent = null;
        for (Level l : h.storage) {
            double[] e = ert.getOrDefault(l.name, new double[4]);
            StorageLevel.Kind kind = l.kind.equals("DRAM") ? StorageLevel.Kind.DRAM
                : l.kind.contains("RF") || l.kind.equals("regfile") ? StorageLevel.Kind.REGFILE : StorageLevel.Kind.SRAM;
            levels.add(new StorageLevel(l.name, parent, kind, l.depth, (int) l.banks, l.instances, l.blockWords, l.bandwidth,
                0, e[0] / l.blockWords, e[1] / l.blockWords, 0, List.copyOf(l.figures)));
            parent = l.name;
        }
        double[] c = ert.getOrDefault(h.compute, new double[4]);
        int rows = h.meshY;
        int cols = h.computeInstances / Math.max(1, h.meshY);
        ComputeArray unit = new ComputeArray(h.compute, rows > 1 && cols > 1 ? ComputeArray.Kind.ARRAY_2D
            : ComputeArray.Kind.ARRAY_1D, parent, rows, cols, Set.of("mac"), Map.of("mac", c[0]), Map.of("mac", 1),
            Map.of("mac", 1), 0, List.of(), null);
        return new Architecture(h.name, "Timeloop architecture " + h.file, h.file, 1 / h.cycleSeconds, h.technologyNm,
            (int) wordBits, List.copyOf(levels), List.of(unit), List.of(new Figure("clock", 1 / h.cycleSeconds, "Hz",
                "global_cycle_seconds " + h.cycleSeconds, "Timeloop architecture " + h.file, null)));
    }

    // ---- energy reference table ----

    /** Per component: read, write (fill), update and leak energy per vector access (compute: its compute energy first). */
    private static Map<String, double[]> ert(String file, String text, Hierarchy h) {
        Located root = compose(file, text, "an Accelergy energy reference table");
        Map<String, Located> top = mapping(root, List.of("ERT"), "an energy reference table");
        Located e = require(top, "ERT", root);
        Map<String, Located> em = mapping(e, List.of("version", "tables"), "the ERT");
        Map<String, double[]> out = new LinkedHashMap<>();
        Set<String> known = new LinkedHashSet<>();
        h.storage.forEach(l -> known.add(l.name));
        known.add(h.compute);
        for (Located t : sequence(require(em, "tables", e), "tables")) {
            Map<String, Located> tm = mapping(t, List.of("name", "actions"), "a table");
            String full = scalar(require(tm, "name", t));
            String[] path = full.replaceAll("\\[[^\\]]*\\]", "").split("\\.");
            String component = path[path.length - 1];
            if (!known.contains(component)) {
                throw new InvalidInputException(tm.get("name").pos(), "no component '" + component + "' in the architecture");
            }
            double[] v = new double[4];
            for (Located act : sequence(require(tm, "actions", t), "actions")) {
                Map<String, Located> am = mapping(act, List.of("name", "arguments", "energy"), "an action");
                String a = scalar(require(am, "name", act));
                double pj = nonNegative(require(am, "energy", act), "energy");
                switch (a) {
                    case "read", "compute" -> v[0] = pj;
                    case "write" -> v[1] = pj;
                    case "update" -> v[2] = pj;
                    case "leak" -> v[3] = pj;
                    default -> throw new InvalidInputException(am.get("name").pos(), "unknown action '" + a + "'; expected "
                        + "read, write, update, leak or compute");
                }
            }
            if (!component.equals(h.compute) && Math.abs(v[2] - v[1]) > 1e-9 * Math.max(v[1], v[2])) {
                throw new InvalidInputException(tm.get("name").pos(), component + "'s update costs " + v[2] + " pJ and its "
                    + "write " + v[1] + " pJ; Cascade prices an update as a write, so they must be equal");
            }
            out.put(component, v);
        }
        return out;
    }

    // ---- mapping ----

    private static Mapping.EinsumMapping readMapping(String file, String text, Hierarchy h, Problem p) {
        Located root = compose(file, text, "a Timeloop mapping");
        Map<String, Located> top = mapping(root, SECTIONS, "a Timeloop mapping");
        Located list = require(top, "mapping", root);
        Map<String, List<Mapping.Loop>> temporal = new LinkedHashMap<>();
        Map<String, List<Mapping.Loop>> spatial = new LinkedHashMap<>();
        Map<String, Set<String>> keep = new LinkedHashMap<>();
        Map<String, Long> product = new LinkedHashMap<>();
        Set<String> directed = new LinkedHashSet<>();
        Map<String, SourcePos> directedAt = new LinkedHashMap<>(); // a level's first directive, where its errors point
        p.dims.forEach(d -> product.put(d, 1L));
        Set<String> dataSpaces = new LinkedHashSet<>(p.cascade.tensors().keySet());
        Set<String> levelNames = new LinkedHashSet<>();
        h.storage.forEach(l -> levelNames.add(l.name));
        for (Located entry : sequence(list, "mapping directives")) {
            Map<String, Located> m = mapping(entry, List.of("target", "type", "factors", "permutation", "keep", "bypass",
                "split"), "a mapping directive");
            Located targetNode = require(m, "target", entry);
            String target = scalar(targetNode);
            String type = scalar(require(m, "type", entry));
            directedAt.putIfAbsent(target, entry.pos());
            switch (type) {
                case "temporal", "spatial" -> {
                    String level = type.equals("temporal") || levelNames.contains(target) ? target
                        : h.storageAboveContainer.get(target);
                    if (type.equals("temporal") && !levelNames.contains(target)) {
                        throw new InvalidInputException(targetNode.pos(), "no storage level '" + target + "' (levels: "
                            + String.join(", ", levelNames) + ")");
                    }
                    if (type.equals("spatial") && level == null) {
                        throw new InvalidInputException(targetNode.pos(), "no spatial container or storage level '" + target
                            + "' (containers "
                            + "with a mesh: " + String.join(", ", h.storageAboveContainer.keySet()) + ")");
                    }
                    // split divides a spatial directive's dimensions between the mesh's X and Y; the counts do not depend on it.
                    Located factorsNode = require(m, "factors", entry);
                    Map<String, Long> factors = factors(factorsNode, p);
                    if (type.equals("spatial")) {
                        long fanout = factors.values().stream().reduce(1L, Math::multiplyExact);
                        long room = h.containerMesh.containsKey(target)
                            ? (long) h.containerMesh.get(target)[0] * h.containerMesh.get(target)[1] : h.fanoutBelow(target);
                        if (fanout > room) {
                            throw new InvalidInputException(factorsNode.pos(), "the spatial factors spread over " + fanout
                                + " instances, but " + (h.containerMesh.containsKey(target) ? target + "'s mesh has "
                                : "below each " + target + " there are ") + room);
                        }
                    }
                    List<String> order = permutation(m.get("permutation"), p, factors);
                    List<Mapping.Loop> loops = new ArrayList<>();
                    for (String d : order.reversed()) { // Timeloop lists the innermost first; Cascade outer to inner
                        long f = factors.getOrDefault(d, 1L);
                        if (f > 1) {
                            loops.add(new Mapping.Loop(d.toLowerCase(Locale.ROOT), f, targetNode.pos()));
                        }
                        product.merge(d, f, Math::multiplyExact);
                    }
                    if (!directed.add(type + " " + target)) {
                        throw new InvalidInputException(targetNode.pos(), "a second " + type + " directive for " + target);
                    }
                    // Containers one under another (a column of rows, say) fan out from the same level: their loops add up.
                    (type.equals("temporal") ? temporal : spatial).computeIfAbsent(level, k -> new ArrayList<>()).addAll(loops);
                }
                case "dataspace", "bypass" -> {
                    if (!levelNames.contains(target)) {
                        throw new InvalidInputException(targetNode.pos(), "no storage level '" + target + "'");
                    }
                    Set<String> kept = new LinkedHashSet<>(dataSpaces);
                    kept.removeAll(names(m.get("bypass"), dataSpaces));
                    names(m.get("keep"), dataSpaces); // checked: what is not bypassed is kept
                    keep.put(target, kept);
                }
                default -> throw new InvalidInputException(m.get("type").pos(), "unknown directive type '" + type
                    + "'; expected temporal, spatial or dataspace");
            }
        }
        for (String d : p.dims) {
            if (!product.get(d).equals(p.sizes.get(d))) {
                throw new InvalidInputException(list.pos(), "the factors of " + d + " multiply to " + product.get(d)
                    + ", but the problem's " + d + " is " + p.sizes.get(d));
            }
        }
        List<Mapping.LevelLoops> levels = new ArrayList<>();
        for (Level l : h.storage) {
            levels.add(new Mapping.LevelLoops(l.name, List.copyOf(temporal.getOrDefault(l.name, List.of())),
                List.of(), List.copyOf(spatial.getOrDefault(l.name, List.of())), keep.get(l.name), directedAt.get(l.name)));
        }
        return new Mapping.EinsumMapping(p.output, h.compute, List.copyOf(levels), list.pos(), null);
    }

    /** The mapping a mapper starts from: every loop at the outermost level, every level keeping every data space. */
    private static Mapping.EinsumMapping everythingOutermost(Hierarchy h, Problem p) {
        List<Mapping.LevelLoops> levels = new ArrayList<>();
        for (Level l : h.storage) {
            List<Mapping.Loop> loops = new ArrayList<>();
            if (levels.isEmpty()) {
                for (String d : p.dims) {
                    if (p.sizes.get(d) > 1) {
                        loops.add(new Mapping.Loop(d.toLowerCase(Locale.ROOT), p.sizes.get(d), null));
                    }
                }
            }
            levels.add(new Mapping.LevelLoops(l.name, loops, List.of(), List.of(), null, null));
        }
        return new Mapping.EinsumMapping(p.output, h.compute, List.copyOf(levels), null, null);
    }

    /**
     * Timeloop's map-space constraints in Cascade's terms: the loops' ({@link Mapper.Constraints}:
     * fixed factors per level and across the array, each level's innermost loops) and, per
     * storage level, the data spaces it must keep or must bypass (the rest are the mapper's);
     * {@code columns} and {@code rows}: what a mapping names as the target of its spatial factors
     * along X and along Y (the container fanning out that way, or the level the fan-out hangs from).
     */
    public record MapSpace(Mapper.Constraints loops, Map<String, Set<String>> keep, Map<String, Set<String>> bypass,
                           String columns, String rows) {
    }

    /** One constraint as Timeloop writes it, in a constraints file's targets or in a node's own constraints. */
    private record Directive(String target, Located targetNode, String type, Map<String, Located> fields, Located node) {
    }

    /**
     * The map space the architecture's own {@code constraints} (v0.4 writes them in the nodes) and
     * the constraints file (its {@code mapspace_constraints} or {@code architecture_constraints}
     * targets; null: none) leave to the mapper. Temporal factors may name some dimensions (the rest
     * are free); a permutation names the level's innermost loops, innermost first (the rest are
     * free, outside them); spatial constraints target a container with a mesh, or a storage level
     * for the whole fan-out below it, and their {@code split} sends the permutation's first
     * dimensions along X (the array's columns), the others along Y (its rows).
     */
    public static MapSpace mapSpace(String archFile, String archText, String file, String text, Inputs in) {
        Hierarchy h = hierarchy(archFile, archText);
        List<Directive> directives = new ArrayList<>();
        for (var e : h.constraints.entrySet()) {
            Map<String, Located> types = mapping(e.getValue(), List.of("dataspace", "temporal", "spatial"),
                "the constraints of " + e.getKey());
            for (var t : types.entrySet()) {
                directives.add(new Directive(e.getKey(), e.getValue(), t.getKey(), mapping(t.getValue(),
                    List.of("factors", "permutation", "keep", "bypass", "split"), "a " + t.getKey() + " constraint"),
                    t.getValue()));
            }
        }
        if (text != null) {
            Located root = compose(file, text, "Timeloop mapper constraints");
            Map<String, Located> top = mapping(root, SECTIONS, "Timeloop mapper constraints");
            Located section = top.containsKey("mapspace_constraints") ? top.get("mapspace_constraints")
                : top.get("architecture_constraints");
            if (section == null) {
                throw new InvalidInputException(root.pos(), "no 'mapspace_constraints' (or 'architecture_constraints') section");
            }
            Map<String, Located> sm = mapping(section, List.of("version", "targets"), "the constraints");
            for (Located t : sm.containsKey("targets") ? sequence(sm.get("targets"), "constraint targets")
                : List.<Located>of()) {
                Map<String, Located> m = mapping(t, List.of("target", "type", "factors", "permutation", "keep", "bypass",
                    "split"), "a constraint");
                Located targetNode = require(m, "target", t);
                directives.add(new Directive(scalar(targetNode), targetNode, scalar(require(m, "type", t)), m, t));
            }
        }
        Set<String> fanning = new LinkedHashSet<>(h.storageAboveContainer.values());
        if (fanning.size() > 1) {
            throw new InvalidInputException(h.constraints.isEmpty() ? new SourcePos(archFile, 1, 1)
                : h.storage.getFirst().pos, "the architecture fans out below " + String.join(" and ", fanning)
                + "; Cascade's mapper searches one fan-out (the array's rows and columns)");
        }
        List<String> dims = new ArrayList<>(in.cascade().producer(in.einsum()).iterationRanks());
        Problem p = new Problem(in.cascade(), in.sizes(), dims, in.einsum());
        Set<String> levelNames = new LinkedHashSet<>();
        in.architecture().storage().forEach(l -> levelNames.add(l.name()));
        Set<String> spaces = new LinkedHashSet<>(in.cascade().tensors().keySet());
        Map<String, Map<String, Long>> temporal = new LinkedHashMap<>();
        Map<String, List<String>> innermost = new LinkedHashMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        Map<String, Long> cols = new LinkedHashMap<>();
        Map<String, Set<String>> keep = new LinkedHashMap<>();
        Map<String, Set<String>> bypass = new LinkedHashMap<>();
        Map<String, Long> fixedProduct = new LinkedHashMap<>();
        for (Directive d : directives) {
            Map<String, Located> m = d.fields();
            boolean storage = levelNames.contains(d.target());
            if (m.containsKey("factors")) { // every factor fixed so far, over all levels and both axes, divides the size
                for (var f : factors(m.get("factors"), p).entrySet()) {
                    long product = fixedProduct.merge(f.getKey(), f.getValue(), Math::multiplyExact);
                    if (p.sizes.get(f.getKey()) % product != 0) {
                        throw new InvalidInputException(m.get("factors").pos(), "the constrained factors of " + f.getKey()
                            + " multiply to " + product + " with this one, which does not divide " + f.getKey() + " = "
                            + p.sizes.get(f.getKey()));
                    }
                }
            }
            switch (d.type()) {
                case "temporal" -> {
                    if (!storage) {
                        throw new InvalidInputException(d.targetNode().pos(), "no storage level '" + d.target() + "' (levels: "
                            + String.join(", ", levelNames) + ")");
                    }
                    Map<String, Long> at = temporal.computeIfAbsent(d.target(), k -> new LinkedHashMap<>());
                    if (m.containsKey("factors")) {
                        for (var f : factors(m.get("factors"), p).entrySet()) {
                            if (at.put(f.getKey(), f.getValue()) != null) {
                                throw new InvalidInputException(m.get("factors").pos(), "a second temporal factor for "
                                    + f.getKey() + " at " + d.target());
                            }
                        }
                    }
                    if (m.containsKey("permutation")) {
                        if (innermost.put(d.target(), permutation(m.get("permutation"), p, Map.of())) != null) {
                            throw new InvalidInputException(m.get("permutation").pos(), "a second permutation for "
                                + d.target());
                        }
                    }
                }
                case "dataspace", "bypass" -> {
                    if (!storage) {
                        throw new InvalidInputException(d.targetNode().pos(), "no storage level '" + d.target() + "'");
                    }
                    Set<String> kept = keep.computeIfAbsent(d.target(), k -> new LinkedHashSet<>());
                    Set<String> passed = bypass.computeIfAbsent(d.target(), k -> new LinkedHashSet<>());
                    kept.addAll(names(m.get("keep"), spaces));
                    passed.addAll(names(m.get("bypass"), spaces));
                    for (String t : kept) {
                        if (passed.contains(t)) {
                            throw new InvalidInputException(d.node().pos(), d.target() + " both keeps and bypasses " + t);
                        }
                    }
                }
                case "spatial" -> spatial(d, h, p, storage, rows, cols);
                default -> throw new InvalidInputException(m.containsKey("type") ? m.get("type").pos() : d.node().pos(),
                    "unknown constraint type '" + d.type() + "'; expected temporal, spatial or dataspace");
            }
        }
        String fanout = fanning.isEmpty() ? h.storage.getFirst().name : fanning.iterator().next();
        String alongX = fanout;
        String alongY = fanout;
        for (var c : h.containerMesh.entrySet()) {
            alongX = c.getValue()[0] > 1 && c.getValue()[1] == 1 && alongX.equals(fanout) ? c.getKey() : alongX;
            alongY = c.getValue()[1] > 1 && c.getValue()[0] == 1 && alongY.equals(fanout) ? c.getKey() : alongY;
            if (c.getValue()[0] > 1 && c.getValue()[1] > 1) {
                alongX = c.getKey();
                alongY = c.getKey();
            }
        }
        return new MapSpace(new Mapper.Constraints(temporal, rows, cols, innermost), keep, bypass, alongX, alongY);
    }

    /** A spatial constraint as fixed factors across the array's columns (X) and rows (Y). */
    private static void spatial(Directive d, Hierarchy h, Problem p, boolean storage, Map<String, Long> rows,
                                Map<String, Long> cols) {
        Map<String, Located> m = d.fields();
        boolean alongX;
        boolean alongY;
        if (h.containerMesh.containsKey(d.target())) {
            int[] mesh = h.containerMesh.get(d.target());
            alongX = mesh[0] > 1;
            alongY = mesh[1] > 1;
            for (var c : h.containerMesh.entrySet()) { // an axis that two containers share cannot be told apart
                if (!c.getKey().equals(d.target()) && (alongX && c.getValue()[0] > 1 || alongY && c.getValue()[1] > 1)) {
                    throw new InvalidInputException(d.targetNode().pos(), d.target() + " and " + c.getKey() + " both fan "
                        + "out along " + (alongX && c.getValue()[0] > 1 ? "X" : "Y") + ", which is one axis of Cascade's "
                        + "array; constrain the storage level above them instead");
                }
            }
        } else if (storage && h.storageAboveContainer.containsValue(d.target())) {
            alongX = true;
            alongY = true;
        } else {
            throw new InvalidInputException(d.targetNode().pos(), "no container with a mesh, or storage level with one "
                + "below it, named '" + d.target() + "' (" + (h.storageAboveContainer.isEmpty() ? "the architecture has no "
                + "fan-out" : "containers with a mesh: " + String.join(", ", h.storageAboveContainer.keySet())) + ")");
        }
        Map<String, Long> factors = m.containsKey("factors") ? factors(m.get("factors"), p) : Map.of();
        List<String> order = m.containsKey("permutation") ? permutation(m.get("permutation"), p, Map.of()) : List.of();
        Set<String> onX = new LinkedHashSet<>();
        Set<String> onY = new LinkedHashSet<>();
        if (m.containsKey("split")) {
            long split = Math.min(order.size(), nonNegativeWhole(m.get("split"), "split"));
            onX.addAll(order.subList(0, (int) split));
            onY.addAll(order.subList((int) split, order.size()));
        }
        for (String dim : p.dims) {
            boolean x = alongX && !onY.contains(dim);
            boolean y = alongY && !onX.contains(dim);
            Long f = factors.get(dim);
            if (f != null && f > 1 && x && y) {
                throw new InvalidInputException(m.get("factors").pos(), d.target() + " fans out along X and Y, and the "
                    + "factor " + dim + "=" + f + " could go either way: give a permutation and a split");
            }
            if (f != null && f > 1 && !x && !y) {
                throw new InvalidInputException(m.get("factors").pos(), "the split sends " + dim + " along "
                    + (onX.contains(dim) ? "X" : "Y") + ", but " + d.target() + " fans out only along "
                    + (alongX ? "X" : "Y"));
            }
            // A dimension the split sends the other way takes no factor on this container's axes.
            long xf = f != null && x ? f : 1;
            long yf = f != null && y ? f : 1;
            if (alongX && (f != null || !x)) {
                put(cols, dim, xf, d);
            }
            if (alongY && (f != null || !y)) {
                put(rows, dim, yf, d);
            }
        }
    }

    private static void put(Map<String, Long> axis, String dim, long f, Directive d) {
        Long before = axis.put(dim, f);
        if (before != null && before != f) {
            throw new InvalidInputException(d.node().pos(), "spatial factor " + dim + "=" + f + " at " + d.target()
                + ", but another constraint fixed it to " + before);
        }
    }

    private static Set<String> names(Located node, Set<String> known) {
        Set<String> out = new LinkedHashSet<>();
        if (node != null) {
            for (Located n : sequence(node, "data spaces")) {
                if (!known.contains(scalar(n))) {
                    throw new InvalidInputException(n.pos(), "no data space '" + scalar(n) + "'");
                }
                out.add(scalar(n));
            }
        }
        return out;
    }

    /** The keys of Timeloop's mapper configuration: of its search settings, only the algorithm is taken (the rest are Timeloop's). */
    static final List<String> MAPPER_KEYS = List.of("version", "optimization_metrics", "optimization_metric", "live_status",
        "num_threads", "timeout", "victory_condition", "algorithm", "max_permutations_per_if_visit", "search_size",
        "sync_interval", "log_interval", "log_stats", "log_suboptimal", "diagnostics", "penalize_consecutive_bypass_fails",
        "filter_revisits", "emit_whoop_nest", "out_prefix", "max_temporal_loops_in_a_mapping");

    /**
     * A Timeloop mapper configuration as Cascade's mapper runs it: the objective, and whether the
     * search is an enumeration of every mapping ({@code exhaustive}, or {@code linear_pruned}, which
     * leaves loops of factor 1 out of the orders as Cascade's enumeration does) or a sampled one
     * ({@code random}, {@code random_pruned}, {@code hybrid}: Cascade's local search).
     */
    public record MapperSettings(Mapper.Objective objective, boolean exhaustive, SourcePos algorithmAt) {
    }

    static final List<String> ENUMERATING = List.of("exhaustive", "linear_pruned");
    static final List<String> SAMPLING = List.of("random", "random_pruned", "hybrid");

    /**
     * Timeloop's {@code optimization_metrics} (v0.4; older files say {@code optimization_metric})
     * as the mapper's objective, [delay, energy] where none is given; its {@code algorithm}, a
     * sampled search where none is given.
     */
    public static MapperSettings mapperSettings(String file, String text) {
        Located root = compose(file, text, "a Timeloop mapper configuration");
        Map<String, Located> top = mapping(root, SECTIONS, "a Timeloop mapper configuration");
        Located mapper = require(top, "mapper", root);
        Map<String, Located> mm = mapping(mapper, MAPPER_KEYS, "the mapper");
        Located algorithm = mm.get("algorithm");
        if (algorithm == null) {
            return new MapperSettings(objective(mm), false, root.pos());
        }
        if (!ENUMERATING.contains(scalar(algorithm)) && !SAMPLING.contains(scalar(algorithm))) {
            throw new InvalidInputException(algorithm.pos(), "unknown algorithm '" + scalar(algorithm) + "'; Timeloop's are "
                + String.join(", ", ENUMERATING) + ", " + String.join(", ", SAMPLING));
        }
        return new MapperSettings(objective(mm), ENUMERATING.contains(scalar(algorithm)), algorithm.pos());
    }

    private static Mapper.Objective objective(Map<String, Located> mm) {
        Located metric = null;
        for (String key : List.of("optimization_metrics", "optimization_metric")) {
            Located m = mm.get(key);
            if (m != null && !sequence(m, "metrics").isEmpty()) {
                if (metric != null && !sequence(metric, "metrics").stream().map(n -> scalar(n)).toList()
                    .equals(sequence(m, "metrics").stream().map(n -> scalar(n)).toList())) {
                    throw new InvalidInputException(m.pos(), "optimization_metric and optimization_metrics disagree");
                }
                metric = metric == null ? m : metric;
            }
        }
        if (metric == null) {
            return Mapper.Objective.DELAY_THEN_ENERGY;
        }
        List<String> metrics = sequence(metric, "metrics").stream().map(n -> scalar(n)).toList();
        return switch (String.join(",", metrics)) {
            case "delay,energy", "delay" -> Mapper.Objective.DELAY_THEN_ENERGY;
            case "energy" -> Mapper.Objective.ENERGY;
            case "edp" -> Mapper.Objective.EDP;
            default -> throw new InvalidInputException(metric.pos(), "optimization_metrics " + metrics + " is not read yet; "
                + "expected [delay, energy], [delay], [energy] or [edp]");
        };
    }

    private static Map<String, Long> factors(Located node, Problem p) {
        Map<String, Long> out = new LinkedHashMap<>();
        // "R=3 P=1", or a list of them ([R=3, P=1]) as the FuseMax artifact writes its mappings.
        List<String> parts = new ArrayList<>();
        if (node.node() instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            sequence(node, "factors").forEach(x -> parts.add(scalar(x).strip()));
        } else {
            parts.addAll(List.of(scalar(node).trim().split("[\\s,]+")));
        }
        for (String part : parts) {
            String[] kv = part.split("=");
            if (kv.length != 2 || !p.dims.contains(kv[0])) {
                throw new InvalidInputException(node.pos(), "factor '" + part + "': expected DIM=N with DIM one of "
                    + String.join(", ", p.dims));
            }
            long f;
            try {
                f = Long.parseLong(kv[1]);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(node.pos(), "factor '" + part + "' is not a whole number");
            }
            if (f < 1) {
                throw new InvalidInputException(node.pos(), "factor '" + part + "' must be at least 1 (0, Timeloop's "
                    + "'whatever is left', is the mapper's, not the model's)");
            }
            if (out.put(kv[0], f) != null) {
                throw new InvalidInputException(node.pos(), "dimension " + kv[0] + " has two factors");
            }
        }
        return out;
    }

    /** Dimensions innermost first, as Timeloop writes them; unlisted ones (factor 1) do not matter. */
    private static List<String> permutation(Located node, Problem p, Map<String, Long> factors) {
        List<String> order = new ArrayList<>();
        if (node != null) {
            // Timeloop's permutation is a string of one-letter dimensions, or a list (which longer names need).
            List<String> named = new ArrayList<>();
            if (node.node() instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                sequence(node, "a permutation").forEach(d -> named.add(scalar(d)));
            } else {
                for (char ch : scalar(node).replaceAll("[\\s,\\[\\]]", "").toCharArray()) {
                    named.add(String.valueOf(ch));
                }
            }
            for (String d : named) {
                if (!p.dims.contains(d)) {
                    throw new InvalidInputException(node.pos(), "permutation names '" + d + "', not a dimension of the "
                        + "problem (" + String.join(", ", p.dims) + ")");
                }
                order.add(d);
            }
        }
        for (String d : factors.keySet()) {
            if (!order.contains(d)) {
                if (factors.get(d) > 1) {
                    throw new InvalidInputException(node == null ? new SourcePos("mapping", 1, 1) : node.pos(),
                        "the permutation leaves out " + d + ", whose factor is " + factors.get(d));
                }
                order.add(d);
            }
        }
        return order;
    }

    // ---- small readers ----

    private static void version(Map<String, Located> m, Located owner) {
        Located v = m.get("version");
        if (v != null && !scalar(v).strip().startsWith("0.4")) {
            throw new InvalidInputException(v.pos(), "version " + scalar(v) + "; Cascade reads Timeloop v0.4 files");
        }
    }

    private static void checkKeys(Located node, Map<String, Located> attrs, List<String> allowed, String owner) {
        for (var e : attrs.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw new InvalidInputException(keys(node).get(e.getKey()).pos(), "unknown attribute '" + e.getKey() + "' of "
                    + owner
                    + "; expected one of " + String.join(", ", allowed));
            }
        }
    }

    private static long whole(Located node, String what) {
        return atLeast(node, what, 1, "positive");
    }

    private static long nonNegativeWhole(Located node, String what) {
        return atLeast(node, what, 0, "non-negative");
    }

    private static long atLeast(Located node, String what, long least, String word) {
        String s = scalar(node).strip();
        try {
            long v = Long.parseLong(s);
            if (v < least) {
                throw new InvalidInputException(node.pos(), what + " must be " + word + ", found " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(node.pos(), what + " must be a whole number, found '" + s + "'");
        }
    }

    /**
     * The words of a level of {@code depth} a mapping's tiles may take: depth / multiple_buffering,
     * unbounded where the level allows overbooking (Timeloop checks no capacity there).
     */
    private static double tileRoom(Map<String, Located> attrs, double depth) {
        double buffers = buffers(attrs);
        return overbooked(attrs) ? Double.POSITIVE_INFINITY : depth / buffers;
    }

    /**
     * A level's {@code multiple_buffering} (1 where absent): Timeloop keeps room for the next
     * tiles beside the current one, so a tile may take depth / N.
     */
    private static double buffers(Map<String, Located> attrs) {
        if (!attrs.containsKey("multiple_buffering")) {
            return 1;
        }
        double buffers = positive(attrs.get("multiple_buffering"), "multiple_buffering");
        if (buffers < 1) {
            throw new InvalidInputException(attrs.get("multiple_buffering").pos(), "multiple_buffering must be at least 1 "
                + "(the tile itself), found " + scalar(attrs.get("multiple_buffering")));
        }
        return buffers;
    }

    /** A level's {@code allow_overbooking}: true or false, false where absent. */
    private static boolean overbooked(Map<String, Located> attrs) {
        if (!attrs.containsKey("allow_overbooking")) {
            return false;
        }
        String v = scalar(attrs.get("allow_overbooking")).strip().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new InvalidInputException(attrs.get("allow_overbooking").pos(), "allow_overbooking is true or false, found '"
                + scalar(attrs.get("allow_overbooking")) + "'");
        }
        return v.equals("true");
    }

    private static double positive(Located node, String what) {
        double v = nonNegative(node, what);
        if (v == 0) {
            throw new InvalidInputException(node.pos(), what + " must be positive");
        }
        return v;
    }

    private static double nonNegative(Located node, String what) {
        String s = scalar(node).strip();
        try {
            double v = Double.parseDouble(s);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new InvalidInputException(node.pos(), what + " must be a non-negative number, found " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(node.pos(), what + " must be a number, found '" + s + "'");
        }
    }

    private static double technology(Located node) {
        String s = scalar(node).strip().toLowerCase(Locale.ROOT);
        try {
            return Double.parseDouble(s.endsWith("nm") ? s.substring(0, s.length() - 2) : s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(node.pos(), "technology must be like 40nm, found '" + scalar(node) + "'");
        }
    }
}
