package cascade.mappings.offload;

import cascade.mappings.spec.MappingValidator;
import cascade.mappings.spec.ModelShape;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.Einsum;
import cascade.einsum.analysis.OpCounts;
import cascade.hw.Device;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Heterogeneous attention offloading: a decoder layer's Einsums ({@code llama-decode-layer})
 * bound to two device pools — the attention Einsums (those that read the KV cache, and what they
 * feed up to the attention output) on memory devices, the projections and FFN on compute devices —
 * with the tensors that cross between the pools carried by a link. A {@link Placement} says how
 * many compute devices (tensor-parallel, enough to hold the weights), how many memory devices
 * (holding the KV cache, the batch split across them) and the batch; {@link #evaluate} gives its
 * per-token latency, throughput, cost and energy; {@link #search} picks the placement with the most
 * tokens per dollar under a per-token latency limit. The two pools run micro-batches in a pipeline,
 * so a layer takes the longest of compute, attention and link; the homogeneous baseline (memory
 * devices 0) runs attention on the compute devices, after the projections. Values are bf16.
 */
public final class Offload {
    public static final int BYTES = 2;
    /** Of a device's memory, what holds weights and KV cache (the rest: activations, workspace). */
    public static final double USABLE = 0.9;

    private static final Cascade LAYER = CascadeLibrary.load("llama-decode-layer");
    private static final Set<String> ATTENTION = Set.of("QS", "QK", "GM", "SN", "SD", "SNV", "AV");

    public record Placement(int computeDevices, int memoryDevices, int batch) {
    }

    /** One layer's work for one decoding step, split by pool. */
    public record LayerWork(double computeFlops, double computeBytes, double attentionFlops, double attentionBytes,
                            double linkBytes, Map<String, Long> crossing) {
    }

    public record Result(Placement placement, boolean feasible, String why, double tokenLatencySeconds,
                         double tokensPerSecond, double costPerHour, double tokensPerDollar, double joulesPerToken,
                         double linkUtilization, double computeSecondsPerLayer, double attentionSecondsPerLayer,
                         double linkSecondsPerLayer) {
    }

    private final ModelShape model;
    private final Device compute;
    private final Device memory;
    private final Device.Link link;

    public Offload(ModelShape model, Device compute, Device memory, Device.Link link) {
        this.model = model;
        this.compute = compute;
        this.memory = memory;
        this.link = link;
    }

    /** The layer's Einsums and tensors at batch {@code b} and context {@code m}, costed by pool. */
    public LayerWork layer(int b, long m) {
        Map<String, Long> sizes = LAYER.sizes(Map.of("B", (long) b, "D", (long) model.requireDecoder().dModel(), "G", (long) model.kvHeads(),
            "HG", (long) (model.heads() / model.kvHeads()), "E", (long) model.headDim(), "M", m, "S", (long) model.requireDecoder().ffn()));
        double cf = 0;
        double cb = 0;
        double af = 0;
        double ab = 0;
        for (OpCounts.EinsumOps ops : OpCounts.perEinsum(LAYER, sizes)) {
            double flops = 0;
            for (var o : ops.ops().entrySet()) {
                flops += o.getValue() * (o.getKey().equals("mac") ? 2.0 : 1.0);
            }
            Einsum e = LAYER.producer(ops.output());
            double bytes = 0;
            for (String t : MappingValidator.tensorRanks(e).keySet()) {
                bytes += (double) LAYER.tensor(t).elements(sizes) * BYTES;
            }
            if (ATTENTION.contains(ops.output())) {
                af += flops;
                ab += bytes;
            } else {
                cf += flops;
                cb += bytes;
            }
        }
        Map<String, Long> crossing = crossing(sizes);
        double link = crossing.values().stream().mapToLong(Long::longValue).sum() * (double) BYTES;
        return new LayerWork(cf, cb, af, ab, link, crossing);
    }

    /**
     * Tensors that cross between the pools in a step, with their elements: read in one pool and
     * made in the other, and the new keys and values, which the compute pool makes and the memory
     * pool's KV cache keeps.
     */
    Map<String, Long> crossing(Map<String, Long> sizes) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Einsum e : LAYER.einsums()) {
            boolean here = ATTENTION.contains(e.output());
            for (String t : new LinkedHashSet<>(MappingValidator.tensorRanks(e).keySet())) {
                Einsum producer = LAYER.producer(t);
                if (t.equals(e.output()) || producer == null) {
                    continue;
                }
                if (ATTENTION.contains(t) != here) {
                    out.put(t, LAYER.tensor(t).elements(sizes));
                }
            }
        }
        for (String t : List.of("KN", "VN")) {
            out.put(t, LAYER.tensor(t).elements(sizes));
        }
        return out;
    }

    public int minComputeDevices() {
        return (int) Math.ceil(model.parameters() * (double) BYTES / (USABLE * compute.memoryBytes()));
    }

    public Result evaluate(Placement p, long context, double latencyLimitSeconds) {
        return evaluate(p, layer(p.batch(), context), context, latencyLimitSeconds);
    }

    /** As {@link #evaluate(Placement, long, double)}, with the layer's work at this batch and context already costed. */
    private Result evaluate(Placement p, LayerWork w, long context, double latencyLimitSeconds) {
        int c = p.computeDevices();
        int r = p.memoryDevices();
        int b = p.batch();
        double weights = model.parameters() * (double) BYTES;
        double kv = (double) b * context * model.kvBytesPerToken(BYTES);
        String why = null;
        double tc = compute.gemmSeconds(w.computeFlops() / c, w.computeBytes() / c);
        double ta;
        double tl = 0;
        double layerSeconds;
        if (r == 0) {
            if (weights + kv > USABLE * c * compute.memoryBytes()) {
                why = "weights and KV cache exceed the compute devices' memory";
            }
            ta = compute.attentionSeconds(w.attentionFlops() / c, w.attentionBytes() / c, context, model.headDim());
            layerSeconds = tc + ta;
        } else {
            if (weights > USABLE * c * compute.memoryBytes()) {
                why = "weights exceed the compute devices' memory";
            } else if (kv > USABLE * r * memory.memoryBytes()) {
                why = "KV cache exceeds the memory devices' memory";
            }
            ta = memory.attentionSeconds(w.attentionFlops() / r, w.attentionBytes() / r, context, model.headDim());
            tl = link.seconds(w.linkBytes() / r);
            layerSeconds = Math.max(tc, Math.max(ta, tl));
        }
        double latency = model.requireDecoder().layers() * layerSeconds;
        if (why == null && latency > latencyLimitSeconds) {
            why = String.format(java.util.Locale.ROOT, "%.1f ms a token exceeds the %.1f ms limit", latency * 1e3,
                latencyLimitSeconds * 1e3);
        }
        double tokensPerSecond = b / latency;
        double cost = c * compute.pricePerHour() + r * memory.pricePerHour();
        double watts = c * compute.powerW() + r * memory.powerW();
        double linkJoules = r == 0 ? 0 : w.linkBytes() * model.requireDecoder().layers() * 8 * link.energyPjPerBit() * 1e-12;
        double joulesPerToken = (watts * latency + linkJoules) / b;
        double linkUtilization = r == 0 ? 0 : tl / layerSeconds;
        return new Result(p, why == null, why, latency, tokensPerSecond, cost, tokensPerSecond * 3600 / cost, joulesPerToken,
            linkUtilization, tc, ta, tl);
    }

    /** The feasible placement with the most tokens per dollar; {@code offload} false searches the homogeneous ones. */
    public Result search(long context, double latencyLimitSeconds, boolean offload) {
        return search(context, latencyLimitSeconds, offload, 0);
    }

    /** As {@link #search(long, double, boolean)}, with the batch fixed when {@code batch} is positive. */
    public Result search(long context, double latencyLimitSeconds, boolean offload, int batch) {
        Result best = null;
        int c0 = minComputeDevices();
        int[] candidates = batch > 0 ? new int[] {batch} : batches();
        LayerWork[] work = new LayerWork[candidates.length]; // a batch's work is the same for every device count
        for (int i = 0; i < candidates.length; i++) {
            work[i] = layer(candidates[i], context);
        }
        for (int c = c0; c <= c0 + 8; c++) {
            for (int r = offload ? 1 : 0; r <= (offload ? 32 : 0); r++) {
                for (int i = 0; i < candidates.length; i++) {
                    Result res = evaluate(new Placement(c, r, candidates[i]), work[i], context, latencyLimitSeconds);
                    if (res.feasible() && (best == null || res.tokensPerDollar() > best.tokensPerDollar())) {
                        best = res;
                    }
                }
            }
        }
        return best;
    }

    private static int[] batches() {
        int[] out = new int[24];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Math.round(Math.pow(2, i / 2.0)); // 1, 1.4, 2, 3, 4, ... up to ~2900
        }
        return java.util.Arrays.stream(out).distinct().toArray();
    }

    public ModelShape model() {
        return model;
    }

    public Device computeDevice() {
        return compute;
    }

    public Device memoryDevice() {
        return memory;
    }

    public Device.Link link() {
        return link;
    }
}
