package cascade.sim.serving;

import cascade.mappings.offload.Offload;
import cascade.traces.RequestTrace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Continuous batching of a request trace on a placed system (an {@link Offload} placement, or the
 * homogeneous baseline). Iteration by iteration: arrived requests join, first-come first-served,
 * while the batch has room and the KV cache can hold their context; each joining request's prompt
 * is prefilled (compute for its tokens through every layer, attention over its prompt); then
 * every running request decodes one token, its KV cache growing by one. When the cache cannot hold
 * the next step, the most recently admitted request is preempted: its cache is freed, it waits
 * again at the front of the queue, and on readmission its prompt and the tokens it already made
 * are prefilled again (recomputation); its tokens are kept. A request finishes once, when it has
 * made all its output tokens.
 */
public final class ServingSimulator {
    public record Finished(int id, double arrival, double firstToken, double finish, int tokens, int preemptions) {
    }

    public record Result(List<Finished> finished, double seconds, long tokens, double tokensPerSecond, double p50TokenMs,
                         double p99TokenMs, double p50FirstTokenMs, double p99FirstTokenMs, long preemptions,
                         double linkUtilization, double tokensPerDollar, double joules) {
    }

    private final Offload offload;
    private final Offload.Placement placement;

    public ServingSimulator(Offload offload, Offload.Placement placement) {
        this.offload = offload;
        this.placement = placement;
    }

    /** KV-cache tokens the placement holds. */
    public long kvCapacityTokens() {
        var m = offload.model();
        double bytes = placement.memoryDevices() == 0
            ? Offload.USABLE * placement.computeDevices() * offload.computeDevice().memoryBytes()
                - m.parameters() * (double) Offload.BYTES
            : Offload.USABLE * placement.memoryDevices() * offload.memoryDevice().memoryBytes();
        return Math.max(0, (long) (bytes / m.kvBytesPerToken(Offload.BYTES)));
    }

    private static final class Running {
        final RequestTrace.Request request;
        int made;
        double firstToken = -1;
        int preemptions;

        Running(RequestTrace.Request request) {
            this.request = request;
        }

        long context() {
            return request.promptTokens() + made;
        }
    }

    public Result run(RequestTrace trace) {
        long capacity = kvCapacityTokens();
        for (RequestTrace.Request r : trace.requests()) {
            if (r.promptTokens() + r.outputTokens() > capacity) {
                throw new IllegalArgumentException("request " + r.id() + " needs " + (r.promptTokens() + r.outputTokens())
                    + " tokens of KV cache; the placement holds " + capacity);
            }
        }
        Deque<Running> waiting = new ArrayDeque<>();
        List<Running> running = new ArrayList<>();
        List<Finished> finished = new ArrayList<>();
        List<RequestTrace.Request> arrivals = trace.requests();
        int next = 0;
        double t = 0;
        double linkBusy = 0;
        long preemptions = 0;
        long used = 0;
        var model = offload.model();
        var c = offload.computeDevice();
        int cd = placement.computeDevices();
        int md = placement.memoryDevices();
        while (finished.size() < arrivals.size()) {
            while (next < arrivals.size() && arrivals.get(next).arrivalSeconds() <= t) {
                waiting.addLast(new Running(arrivals.get(next++)));
            }
            if (running.isEmpty() && waiting.isEmpty()) {
                t = arrivals.get(next).arrivalSeconds();
                continue;
            }
            // Admit and prefill.
            long prefillTokens = 0;
            double prefillAttention = 0;
            while (!waiting.isEmpty() && running.size() < placement.batch()
                    && used + waiting.peekFirst().context() + 1 <= capacity) {
                Running r = waiting.pollFirst();
                running.add(r);
                used += r.context();
                prefillTokens += r.context();
                long s = r.context();
                double flops = 4.0 * model.heads() * s * s * model.headDim() / 2 * model.requireDecoder().layers();
                double bytes = 4.0 * model.heads() * s * model.headDim() * Offload.BYTES * model.requireDecoder().layers();
                var attentionDevice = md == 0 ? c : offload.memoryDevice();
                prefillAttention += attentionDevice.attentionSeconds(flops / Math.max(1, md == 0 ? cd : md),
                    bytes / Math.max(1, md == 0 ? cd : md), s, model.headDim());
            }
            if (prefillTokens > 0) {
                double flops = 2.0 * model.parameters() * prefillTokens;
                t += c.gemmSeconds(flops / cd, model.parameters() * (double) Offload.BYTES / cd) + prefillAttention;
            }
            if (running.isEmpty()) { // nothing fits yet: wait for the next arrival
                t = Math.max(t, next < arrivals.size() ? arrivals.get(next).arrivalSeconds() : t);
                continue;
            }
            // Make room for this step's tokens, preempting the newest.
            while (used + running.size() > capacity && running.size() > 1) {
                Running victim = running.removeLast();
                used -= victim.context();
                victim.preemptions++;
                preemptions++;
                waiting.addFirst(victim);
            }
            // One decoding step for every running request.
            long contextSum = 0;
            for (Running r : running) {
                contextSum += r.context();
            }
            long meanContext = Math.max(1, contextSum / running.size());
            Offload.Result step = offload.evaluate(new Offload.Placement(cd, md, running.size()), meanContext, Double.MAX_VALUE);
            t += step.tokenLatencySeconds();
            linkBusy += model.requireDecoder().layers() * step.linkSecondsPerLayer();
            used += running.size();
            List<Running> done = new ArrayList<>();
            for (Running r : running) {
                r.made++;
                if (r.firstToken < 0) {
                    r.firstToken = t;
                }
                if (r.made == r.request.outputTokens()) {
                    done.add(r);
                }
            }
            for (Running r : done) {
                running.remove(r);
                used -= r.context();
                finished.add(new Finished(r.request.id(), r.request.arrivalSeconds(), r.firstToken, t, r.made, r.preemptions));
            }
        }
        long tokens = finished.stream().mapToLong(Finished::tokens).sum();
        double[] perToken = finished.stream().filter(f -> f.tokens() > 1)
            .mapToDouble(f -> (f.finish() - f.firstToken()) / (f.tokens() - 1) * 1e3).sorted().toArray();
        double[] firstToken = finished.stream().mapToDouble(f -> (f.firstToken() - f.arrival()) * 1e3).sorted().toArray();
        double cost = cd * c.pricePerHour() + md * offload.memoryDevice().pricePerHour();
        double watts = cd * c.powerW() + md * offload.memoryDevice().powerW();
        double seconds = t - arrivals.getFirst().arrivalSeconds();
        double tps = tokens / seconds;
        return new Result(List.copyOf(finished), seconds, tokens, tps, percentile(perToken, 0.5), percentile(perToken, 0.99),
            percentile(firstToken, 0.5), percentile(firstToken, 0.99), preemptions, md == 0 ? 0 : linkBusy / seconds,
            tps * 3600 / cost, watts * seconds);
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * (sorted.length - 1) + 0.5))];
    }

    /** For tests: the ids of finished requests, sorted. */
    public static int[] ids(Result r) {
        return r.finished().stream().mapToInt(Finished::id).sorted().toArray();
    }
}
