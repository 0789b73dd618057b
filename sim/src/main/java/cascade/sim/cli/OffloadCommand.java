package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Device;
import cascade.mappings.offload.Offload;
import cascade.mappings.spec.ModelShape;
import cascade.sim.serving.ServingSimulator;
import cascade.traces.RequestTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "offload", mixinStandardHelpOptions = true,
    description = "Heterogeneous attention offloading: place a model's decoder layers on compute devices and its attention on "
        + "memory devices, next to the homogeneous baseline on the compute device; with --trace, serve the requests on both.",
    footer = {"", "Models: llama-2-7b, llama-2-13b, llama-2-70b, llama-3-8b, llama-3-70b, opt-30b. Devices: h100, h200, a100, "
        + "h20, l40s, fusemax, spatten. Links: pcie4, pcie5, nvlink4, rdma100, rdma200, rdma400.", "",
        "Examples:", "  ./cascade offload --model llama-2-70b --compute h100 --memory h20 --context 8192",
        "  ./cascade offload --model llama-2-70b --compute h100 --memory h20 --trace requests.csv --format json"})
final class OffloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "the transformer")
    String model;

    @Option(names = "--compute", required = true, description = "the compute device (projections, FFN)")
    String computeDevice;

    @Option(names = "--memory", required = true, description = "the memory device (attention, KV cache)")
    String memoryDevice;

    @Option(names = "--link", defaultValue = "rdma200", description = "the link between the pools (default ${DEFAULT-VALUE})")
    String link;

    @Option(names = "--context", description = "tokens attended per decoding step (default: the trace's mean, else 4096)")
    Long context;

    @Option(names = "--batch", description = "fix the decoding batch (default: searched)")
    Integer batch;

    @Option(names = "--trace", paramLabel = "FILE", description = "a request trace (CSV: arrival_s,prompt_tokens,output_tokens)")
    Path trace;

    @Option(names = "--latency-slo-ms", defaultValue = "100", description = "per-token latency limit (default ${DEFAULT-VALUE} ms)")
    double sloMs;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws IOException {
        ModelShape m = Inputs.option("--model", () -> {
            ModelShape shape = ModelShape.of(model);
            shape.requireDecoder();
            return shape;
        });
        Device c = Inputs.option("--compute", () -> Device.preset(computeDevice));
        Device mem = Inputs.option("--memory", () -> Device.preset(memoryDevice));
        Device.Link l = Inputs.option("--link", () -> Device.link(link));
        if (!(sloMs > 0)) {
            throw new InvalidInputException(new SourcePos("--latency-slo-ms", 1, 1), "must be positive");
        }
        RequestTrace requests = null;
        if (trace != null) {
            Inputs.existingFile(trace, "--trace");
            requests = RequestTrace.read(trace);
        }
        long ctx;
        if (context != null) {
            if (context < 1) {
                throw new InvalidInputException(new SourcePos("--context", 1, 1), "must be positive");
            }
            ctx = context;
        } else if (requests != null) {
            ctx = Math.max(1, Math.round(requests.requests().stream()
                .mapToDouble(r -> r.promptTokens() + r.outputTokens() / 2.0).average().orElse(4096)));
        } else {
            ctx = 4096;
        }
        if (batch != null && batch < 1) {
            throw new InvalidInputException(new SourcePos("--batch", 1, 1), "must be positive");
        }
        int b = batch == null ? 0 : batch;
        Offload o = new Offload(m, c, mem, l);
        Offload.Result off = o.search(ctx, sloMs / 1e3, true, b);
        Offload.Result base = o.search(ctx, sloMs / 1e3, false, b);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", m.name());
        json.put("compute", c.name());
        json.put("memory", mem.name());
        json.put("link", l.name());
        json.put("context", ctx);
        json.put("latencySloMs", sloMs);
        json.put("placement", report(off));
        json.put("baseline", report(base));
        Double gain = off != null && base != null ? off.tokensPerDollar() / base.tokensPerDollar() : null;
        json.put("throughputPerDollarGain", gain);
        Map<String, Object> served = new LinkedHashMap<>();
        if (requests != null) {
            for (var e : Map.of("placement", off, "baseline", base).entrySet()) {
                if (e.getValue() != null) {
                    served.put(e.getKey(), served(new ServingSimulator(o, e.getValue().placement()), requests));
                }
            }
            json.put("serving", served);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        out.printf(Locale.ROOT, "%s on %s (compute) + %s (memory) over %s, %d tokens of context, %.0f ms a token at most%n",
            m.name(), c.name(), mem.name(), l.name(), ctx, sloMs);
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("offloaded", off));
        rows.add(row("homogeneous " + c.name(), base));
        Output.table(out, List.of("system", "compute", "memory", "batch", "ms/token", "tokens/s", "$/h", "tokens/$", "J/token"), rows);
        out.printf(Locale.ROOT, "throughput per dollar gain: %s%n", gain == null ? "n/a (no feasible placement)" : String.format(
            Locale.ROOT, "%.2fx", gain));
        if (requests != null) {
            for (var e : served.entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) e.getValue();
                out.printf(Locale.ROOT, "served (%s): %d requests, %.1f tokens/s, p50/p99 %.1f/%.1f ms a token, first token "
                        + "p50/p99 %.0f/%.0f ms, %d preemptions, link %.0f%% busy%n", e.getKey(), (int) s.get("requests"),
                    (double) s.get("tokensPerSecond"), (double) s.get("p50TokenMs"), (double) s.get("p99TokenMs"),
                    (double) s.get("p50FirstTokenMs"), (double) s.get("p99FirstTokenMs"), (long) s.get("preemptions"),
                    100 * (double) s.get("linkUtilization"));
            }
        }
        return 0;
    }

    private static Map<String, Object> served(ServingSimulator sim, RequestTrace t) {
        ServingSimulator.Result r;
        try {
            r = sim.run(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(new SourcePos(t.file(), 1, 1), e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", r.finished().size());
        m.put("tokens", r.tokens());
        m.put("seconds", r.seconds());
        m.put("tokensPerSecond", r.tokensPerSecond());
        m.put("p50TokenMs", r.p50TokenMs());
        m.put("p99TokenMs", r.p99TokenMs());
        m.put("p50FirstTokenMs", r.p50FirstTokenMs());
        m.put("p99FirstTokenMs", r.p99FirstTokenMs());
        m.put("preemptions", r.preemptions());
        m.put("linkUtilization", r.linkUtilization());
        m.put("tokensPerDollar", r.tokensPerDollar());
        m.put("joules", r.joules());
        return m;
    }

    private static Map<String, Object> report(Offload.Result r) {
        if (r == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("computeDevices", r.placement().computeDevices());
        m.put("memoryDevices", r.placement().memoryDevices());
        m.put("batch", r.placement().batch());
        m.put("tokenLatencyMs", r.tokenLatencySeconds() * 1e3);
        m.put("tokensPerSecond", r.tokensPerSecond());
        m.put("costPerHour", r.costPerHour());
        m.put("tokensPerDollar", r.tokensPerDollar());
        m.put("joulesPerToken", r.joulesPerToken());
        m.put("linkUtilization", r.linkUtilization());
        return m;
    }

    private static List<String> row(String name, Offload.Result r) {
        if (r == null) {
            return List.of(name, "-", "-", "-", "-", "-", "-", "-", "no feasible placement");
        }
        return List.of(name, Integer.toString(r.placement().computeDevices()), Integer.toString(r.placement().memoryDevices()),
            Integer.toString(r.placement().batch()), String.format(Locale.ROOT, "%.1f", r.tokenLatencySeconds() * 1e3),
            String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()), String.format(Locale.ROOT, "%.2f", r.costPerHour()),
            String.format(Locale.ROOT, "%.0f", r.tokensPerDollar()), String.format(Locale.ROOT, "%.3f", r.joulesPerToken()));
    }
}
