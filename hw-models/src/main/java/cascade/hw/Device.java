package cascade.hw;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.einsum.Resources;
import cascade.hw.YamlNodes.Located;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A serving device: what it computes (bf16), how fast it moves memory, how much it holds, its
 * power and price, and the efficiencies that turn datasheet peaks into kernel times. Kernel time
 * is a roofline with a fixed overhead: overhead + max(compute time, bytes / (bandwidth · memory
 * efficiency)), one memory efficiency for every kernel that streams DRAM. A GEMM computes at
 * peak · gemmCompute. Attention spends, on each (query, key) pair, its 4 · headDim matmul flops
 * at the tensor-core peak and one exp at the special-function rate ({@code expOpsPerSecond}: at
 * head dimension 64 the exp costs as much as the matmul, which is why FlashAttention is less
 * efficient there), over attentionCompute · s / (s + half): short sequences fill fewer tiles, and
 * decoding is memory-bound whatever it is. The H100's efficiencies were fitted to measurements
 * (hw-models/calibration/fit.py; DeviceTest holds every calibration point within 15% and the
 * held-out shapes within 20%); the datasheet numbers are not fitted, so the model carries to a
 * GPU with other peaks. Presets in {@code devices/catalog.yaml}, each number sourced.
 */
public record Device(String name, String description, double bf16Flops, double bandwidthBytes, double memoryBytes,
                     double cacheBytes, double expOpsPerSecond, double powerW, double pricePerHour, Efficiency efficiency,
                     List<Figure> figures) {

    public record Efficiency(double gemmCompute, double attentionCompute, double attentionHalfLength, double memory,
                             double gemmOverheadUs, double attentionOverheadUs) {
    }

    /** A link between device pools: bandwidth per direction, latency, energy per bit. */
    public record Link(String name, double bandwidthBytes, double latencySeconds, double energyPjPerBit, List<Figure> figures) {
        public double seconds(double bytes) {
            return bytes == 0 ? 0 : latencySeconds + bytes / bandwidthBytes;
        }
    }

    /** Seconds for a GEMM of {@code flops} that must move at least {@code bytes}. */
    public double gemmSeconds(double flops, double bytes) {
        return efficiency.gemmOverheadUs() * 1e-6
            + Math.max(flops / (bf16Flops * efficiency.gemmCompute()), memorySeconds(bytes));
    }

    /**
     * Seconds for one attention call of {@code flops} (4 · headDim a query-key pair) whose queries
     * attend over {@code kvLen} keys. A device without an exp rate (one of Cascade's accelerators,
     * whose softmax runs beside its matmul array) spends nothing extra on the exps.
     */
    public double attentionSeconds(double flops, double bytes, long kvLen, int headDim) {
        double pairs = flops / (4.0 * headDim);
        double busy = flops / bf16Flops + (expOpsPerSecond > 0 ? pairs / expOpsPerSecond : 0);
        double computeEff = efficiency.attentionCompute() * kvLen / (kvLen + efficiency.attentionHalfLength());
        return efficiency.attentionOverheadUs() * 1e-6 + Math.max(busy / computeEff, memorySeconds(bytes));
    }

    /** Seconds for one kernel call of a points file (hw-models/calibration/, {@code device predict}). */
    public double seconds(KernelPoints.Point p) {
        return p.attention() ? attentionSeconds(p.flops(), p.bytes(), p.kvLen(), p.headDim()) : gemmSeconds(p.flops(), p.bytes());
    }

    private double memorySeconds(double bytes) {
        return bytes / (bandwidthBytes * efficiency.memory());
    }

    private static final String FILE = "devices/catalog.yaml";

    public static List<String> presetNames() {
        return List.copyOf(catalog().devices.keySet());
    }

    public static Device preset(String name) {
        Device d = catalog().devices.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no device named " + name + "; devices: " + String.join(", ", presetNames()));
        }
        return d;
    }

    public static List<String> linkNames() {
        return List.copyOf(catalog().links.keySet());
    }

    public static Link link(String name) {
        Link l = catalog().links.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no link named " + name + "; links: " + String.join(", ", linkNames()));
        }
        return l;
    }

    private record Catalog(Map<String, Device> devices, Map<String, Link> links) {
    }

    private static Catalog loaded;

    private static synchronized Catalog catalog() {
        if (loaded == null) {
            loaded = parse(FILE, Resources.read(Device.class, "/" + FILE));
        }
        return loaded;
    }

    static Catalog parse(String file, String text) {
        Located root = compose(file, text, "a device catalog");
        Map<String, Located> m = mapping(root, List.of("devices", "links"), "a device catalog");
        Map<String, Device> devices = new LinkedHashMap<>();
        for (Located d : sequence(require(m, "devices", root), "devices")) {
            Map<String, Located> f = mapping(d, List.of("name", "description", "architecture", "bf16TflopS", "bandwidthTBs",
                "memoryGB", "cacheMB", "expTeraOpsS", "powerW", "pricePerHour", "efficiency"), "a device");
            String name = scalar(require(f, "name", d));
            List<Figure> figures = new ArrayList<>();
            double tflops;
            double tbs;
            double mb;
            if (f.containsKey("architecture")) {
                Architecture arch = accelerator(f, name);
                tflops = derived(name, "bf16TflopS", peakMacs(arch) * 2 * arch.clockHz() / 1e12, arch, figures,
                    "the largest MAC array's PEs x 2 x the clock");
                StorageLevel dram = arch.storage().getFirst();
                tbs = derived(name, "bandwidthTBs", dram.bandwidthWordsPerCycle() * arch.wordBits() / 8 * arch.clockHz() / 1e12,
                    arch, figures, dram.name() + "'s bandwidth");
                mb = derived(name, "cacheMB", arch.storage().stream().filter(l -> l.kind() == StorageLevel.Kind.SRAM)
                    .mapToDouble(l -> l.capacityWords() * l.instances()).sum() * arch.wordBits() / 8 / 1e6, arch, figures,
                    "the SRAM levels' capacity");
            } else {
                tflops = number(f, "bf16TflopS", d, name, figures);
                tbs = number(f, "bandwidthTBs", d, name, figures);
                mb = number(f, "cacheMB", d, name, figures);
            }
            double gb = number(f, "memoryGB", d, name, figures);
            double exps = f.containsKey("expTeraOpsS") ? number(f, "expTeraOpsS", d, name, figures) : 0;
            double w = number(f, "powerW", d, name, figures);
            double price = number(f, "pricePerHour", d, name, figures);
            Located e = require(f, "efficiency", d);
            Map<String, Located> ef = mapping(e, List.of("gemmCompute", "attentionCompute", "attentionHalfLength", "memory",
                "gemmOverheadUs", "attentionOverheadUs"), "the efficiencies");
            Efficiency eff = new Efficiency(fraction(ef, "gemmCompute", e, name, figures),
                fraction(ef, "attentionCompute", e, name, figures), number(ef, "attentionHalfLength", e, name, figures),
                fraction(ef, "memory", e, name, figures), number(ef, "gemmOverheadUs", e, name, figures),
                number(ef, "attentionOverheadUs", e, name, figures));
            if (devices.put(name, new Device(name, f.containsKey("description") ? scalar(f.get("description")) : name,
                    tflops * 1e12, tbs * 1e12, gb * 1e9, mb * 1e6, exps * 1e12, w, price, eff, List.copyOf(figures))) != null) {
                throw new InvalidInputException(d.pos(), "device " + name + " is defined twice");
            }
        }
        Map<String, Link> links = new LinkedHashMap<>();
        for (Located l : sequence(require(m, "links", root), "links")) {
            Map<String, Located> f = mapping(l, List.of("name", "bandwidthGBs", "latencyUs", "energyPjPerBit"), "a link");
            String name = scalar(require(f, "name", l));
            List<Figure> figures = new ArrayList<>();
            links.put(name, new Link(name, number(f, "bandwidthGBs", l, name, figures) * 1e9,
                number(f, "latencyUs", l, name, figures) * 1e-6, number(f, "energyPjPerBit", l, name, figures),
                List.copyOf(figures)));
        }
        return new Catalog(devices, links);
    }

    /**
     * One of Cascade's accelerators as a device: compute, bandwidth and on-chip capacity follow
     * from its architecture preset, so they are not written again (and may not be).
     */
    private static Architecture accelerator(Map<String, Located> f, String name) {
        Located arch = f.get("architecture");
        if (!ArchitectureLoader.presetNames().contains(scalar(arch))) {
            throw new InvalidInputException(arch.pos(), "no architecture preset '" + scalar(arch) + "'; presets: "
                + String.join(", ", ArchitectureLoader.presetNames()));
        }
        for (String key : List.of("bf16TflopS", "bandwidthTBs", "cacheMB")) {
            if (f.containsKey(key)) {
                throw new InvalidInputException(f.get(key).pos(), key + " of " + name + " follows from its architecture "
                    + scalar(arch) + "; remove it");
            }
        }
        return ArchitectureLoader.preset(scalar(arch));
    }

    private static double peakMacs(Architecture arch) {
        return arch.compute().stream().filter(u -> u.supports("mac")).mapToInt(ComputeArray::pes).max().orElse(0);
    }

    private static double derived(String name, String key, double value, Architecture arch, List<Figure> figures,
                                  String rule) {
        figures.add(new Figure(name + "." + key, value, key, String.format(java.util.Locale.ROOT, "%.4g", value),
            arch.name() + " preset: " + rule, null));
        return value;
    }

    private static double number(Map<String, Located> f, String key, Located owner, String name, List<Figure> figures) {
        Located node = require(f, key, owner);
        Located value = node;
        String source = null;
        if (node.node() instanceof org.yaml.snakeyaml.nodes.MappingNode) {
            Map<String, Located> v = mapping(node, List.of("value", "source"), "a figure");
            value = require(v, "value", node);
            source = v.containsKey("source") ? scalar(v.get("source")) : null;
        }
        double x;
        try {
            x = Double.parseDouble(scalar(value));
        } catch (NumberFormatException e) {
            throw new InvalidInputException(value.pos(), key + " of " + name + " must be a number, found '" + scalar(value) + "'");
        }
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new InvalidInputException(value.pos(), key + " of " + name + " must be positive");
        }
        figures.add(new Figure(name + "." + key, x, key, scalar(value), source, value.pos()));
        return x;
    }

    private static double fraction(Map<String, Located> f, String key, Located owner, String name, List<Figure> figures) {
        double x = number(f, key, owner, name, figures);
        if (x > 1) {
            throw new InvalidInputException(require(f, key, owner).pos(), key + " of " + name + " is an efficiency, at most 1");
        }
        return x;
    }
}
