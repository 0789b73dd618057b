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
import cascade.einsum.TensorDecl;
import cascade.einsum.Einsum;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.ArchitectureLoader;
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
 */
public record Design(String name, Architecture architecture, Cascade cascade, Map<String, String> units,
                     List<Group> groups) {

    /**
     * Einsums run together: pipelined units overlap; intermediates stay at {@code onChip} unless
     * {@code keep} puts them elsewhere; the group runs once per {@code tile} of a rank (the state it
     * keeps covers a tile) in {@code block}s of that rank. {@code keep} maps a tensor to a storage
     * level, or to {@link #STREAM}: passed from producer to consumers through the units' own
     * registers and FIFOs, never stored whole. Inputs named in {@code keep} are loaded from DRAM
     * once per tile. {@code inFlight}: how many runs (blocks at a step) may be open at once between
     * pipelined units, i.e. the depth of the FIFOs between them in runs.
     */
    public record Group(List<String> einsums, boolean pipelined, String onChip, Map<String, Long> tile,
                        Map<String, Long> block, Map<String, String> keep, int inFlight) {
        public static final String STREAM = "stream";
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

    public static List<String> presetNames() {
        return Resources.index(Design.class, "/designs");
    }

    public static Design preset(String name) {
        if (!presetNames().contains(name)) {
            throw new IllegalArgumentException("no design preset named " + name);
        }
        return parse("designs/" + name + ".yaml", Resources.read(Design.class, "/designs/" + name + ".yaml"), null);
    }

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
        Map<String, Located> m = mapping(root, List.of("design", "architecture", "cascade", "units", "groups"), "a design");
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
        for (var e : cascade.einsums()) {
            if (!units.containsKey(e.output())) {
                throw new InvalidInputException(unitsNode.pos(), "Einsum " + e.output() + " has no unit");
            }
        }
        List<Group> groups = new ArrayList<>();
        if (m.containsKey("groups")) {
            for (Located g : sequence(m.get("groups"), "groups")) {
                Map<String, Located> gm = mapping(g, List.of("einsums", "pipelined", "onChip", "tile", "block", "keep",
                    "inFlight"),
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
                        tile.put(t.getKey(), positiveWhole(t.getValue(), "the tile of " + t.getKey()));
                    }
                }
                Map<String, Long> block = new LinkedHashMap<>(tile);
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
                groups.add(new Group(List.copyOf(members), pipelined, scalar(onChip), tile, block, keep, inFlight));
            }
        }
        return new Design(name, arch, cascade, units, List.copyOf(groups));
    }
}
