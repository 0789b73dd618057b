package cascade.sim.spatten;

import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.StorageLevel;
import cascade.hw.TopKEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SpAtten's pipeline played out head by head on the {@code spatten} architecture (or any with an
 * HBM level, a MAC array, a softmax array and a top-k engine, named in {@link Units}). Each head
 * runs a fixed chain of stages — fetch the keys' high bits, Q·K, softmax, [fetch the keys' low
 * bits, Q·K, softmax again], top-k (token pruning, then local value pruning), fetch the values,
 * prob·V — each on its resource. Resources serve one stage at a time; up to {@code inFlight}
 * heads are open at once (the key/value buffer holds their data), and among the stages that could
 * go, the one that can start earliest goes. DRAM transfers take bytes / bandwidth cycles of the
 * HBM, plus its latency before the data is usable. Top-k cycles come from the engine run on the
 * head's actual scores (or seeded random ones where the trace has none).
 */
public final class SpattenSimulator {
    /** Which architecture units play SpAtten's roles. */
    public record Units(String dram, String buffer, String multipliers, String softmax, String topk) {
        public static Units spatten() {
            return new Units("HBM", "KVBuffer", "MUL", "SOFTMAX", "TOPK");
        }
    }

    /** Bytes fetched from DRAM by kind. */
    public record Traffic(long keyHighBytes, long keyLowBytes, long valueBytes) {
        public long total() {
            return keyHighBytes + keyLowBytes + valueBytes;
        }
    }

    public record Result(long cycles, double seconds, Traffic traffic, long topkCycles, long topkRounds, long recomputed,
                         long heads, double energyPj, Map<String, Double> energyByComponentPj,
                         Map<String, Long> busyCycles, double multiplierUtilization) {
        public long dramBytes() {
            return traffic.total();
        }
    }

    private final Architecture arch;
    private final Units units;
    private final int inFlight;
    private final int fullBits;
    private final long seed;

    public SpattenSimulator(Architecture arch, Units units, int inFlight, long seed) {
        this.arch = arch;
        this.units = units;
        this.inFlight = inFlight;
        this.fullBits = arch.wordBits();
        this.seed = seed;
        for (String u : List.of(units.multipliers(), units.softmax(), units.topk())) {
            if (arch.compute(u) == null) {
                throw new IllegalArgumentException(arch.name() + " has no unit " + u + " for SpAtten's pipeline");
            }
        }
        if (arch.compute(units.topk()).topk() == null) {
            throw new IllegalArgumentException(units.topk() + " of " + arch.name() + " is not a top-k engine");
        }
        if (inFlight < 1) {
            throw new IllegalArgumentException("at least one head in flight");
        }
    }

    private int bits(int b) {
        return b <= 0 ? fullBits : b;
    }

    /** One stage of one head: which resource (0 HBM, 1 MUL, 2 SOFTMAX, 3 TOPK), how long, and latency after. */
    private record Step(int resource, long cycles, long latency) {
    }

    /** A head being played: its stages, the next one, and when the previous one's result is ready. */
    private static final class Open {
        final Step[] steps;
        int next;
        long ready;

        Open(Step[] steps, long ready) {
            this.steps = steps;
            this.ready = ready;
        }
    }

    public Result run(Iterable<HeadWork> work) {
        StorageLevel dram = arch.storage(units.dram());
        StorageLevel buffer = arch.storage(units.buffer());
        ComputeArray mul = arch.compute(units.multipliers());
        ComputeArray soft = arch.compute(units.softmax());
        ComputeArray topkUnit = arch.compute(units.topk());
        TopKEngine engine = topkUnit.topk();
        double bytesPerCycle = dram.bandwidthWordsPerCycle() * arch.wordBits() / 8;
        long[] free = new long[4];
        long[] busy = new long[4];
        long heads = 0;
        long keyHigh = 0;
        long keyLow = 0;
        long value = 0;
        long topkCycles = 0;
        long topkRounds = 0;
        long comparisons = 0;
        long macs = 0;
        long softmaxOps = 0;
        long recomputed = 0;
        long end = 0;
        SplittableRandom random = new SplittableRandom(seed);
        long lastDone = 0; // when the head whose place a newcomer takes finished
        java.util.List<Open> open = new java.util.ArrayList<>();
        java.util.Iterator<HeadWork> it = work.iterator();
        while (it.hasNext() || !open.isEmpty()) {
            while (open.size() < inFlight && it.hasNext()) {
                HeadWork h = it.next();
                var r = h.row();
                int d = r.headDim();
                long kh = (long) r.keys() * d * bits(r.keyBits()) / 8;
                long kl = h.recompute() ? (long) r.keys() * d * Math.max(0, r.requantExtraBits()) / 8 : 0;
                long vb = (long) r.values() * d * bits(r.valueBits()) / 8;
                long qk = ceil((long) r.keys() * d * h.queries(), mul.pes());
                long sm = ceil((long) r.keys() * h.queries(), soft.pes());
                long av = ceil((long) r.values() * d * h.queries(), mul.pes());
                long tk = 0;
                if (r.topk() && r.k() >= 0 && r.k() < r.keys()) {
                    TopKEngine.Selection sel = engine.select(scores(h.tokenScores(), r.keys(), random), r.keys(), r.k());
                    tk += sel.cycles();
                    topkRounds += sel.rounds();
                    comparisons += sel.comparisons();
                }
                if (r.values() < r.keys()) {
                    TopKEngine.Selection sel = engine.select(scores(h.valueScores(), r.keys(), random), r.keys(), r.values());
                    tk += sel.cycles();
                    topkRounds += sel.rounds();
                    comparisons += sel.comparisons();
                }
                java.util.List<Step> steps = new java.util.ArrayList<>();
                steps.add(new Step(0, (long) Math.ceil(kh / bytesPerCycle), dram.latencyCycles()));
                steps.add(new Step(1, qk, 0));
                steps.add(new Step(2, sm, 0));
                if (h.recompute()) {
                    steps.add(new Step(0, (long) Math.ceil(kl / bytesPerCycle), dram.latencyCycles()));
                    steps.add(new Step(1, qk, 0));
                    steps.add(new Step(2, sm, 0));
                    recomputed++;
                }
                steps.add(new Step(3, tk, 0));
                steps.add(new Step(0, (long) Math.ceil(vb / bytesPerCycle), dram.latencyCycles()));
                steps.add(new Step(1, av, 0));
                // The buffer holds inFlight heads: this one's data may arrive once the head inFlight back is done.
                long ready = heads >= inFlight ? lastDone : 0;
                open.add(new Open(steps.stream().filter(x -> x.cycles() > 0).toArray(Step[]::new), ready));
                heads++;
                keyHigh += kh;
                keyLow += kl;
                value += vb;
                topkCycles += tk;
                macs += (r.keys() * (h.recompute() ? 2L : 1L) + r.values()) * d * h.queries();
                softmaxOps += (long) r.keys() * h.queries() * (h.recompute() ? 2 : 1);
            }
            Open best = null;
            long bestStart = Long.MAX_VALUE;
            for (Open o : open) { // open heads in arrival order: ties go to the older head
                Step st = o.steps[o.next];
                long start = Math.max(o.ready, free[st.resource()]);
                if (start < bestStart) {
                    bestStart = start;
                    best = o;
                }
            }
            if (best == null) {
                break;
            }
            Step st = best.steps[best.next++];
            free[st.resource()] = bestStart + st.cycles();
            busy[st.resource()] += st.cycles();
            best.ready = bestStart + st.cycles() + st.latency();
            if (best.next == best.steps.length) {
                open.remove(best);
                lastDone = best.ready;
                end = Math.max(end, best.ready);
            }
        }
        long dramBytes = keyHigh + keyLow + value;
        // Keys and values arrive in pieces narrower than a word (6 + 4 of 12 bits), so traffic is counted in bits.
        ActionCounts.Builder actions = new ActionCounts.Builder();
        actions.add(dram.name(), ActionCounts.READ_BITS, "K,V", dramBytes * 8);
        actions.add(buffer.name(), ActionCounts.WRITE_BITS, "K,V", dramBytes * 8);
        actions.add(buffer.name(), ActionCounts.READ_BITS, "K,V", dramBytes * 8);
        actions.add(mul.name(), "mac", "scores and outputs", macs);
        for (String op : soft.energyPj().keySet()) { // a softmax element takes one of each of the unit's operations
            actions.add(soft.name(), op, "probabilities", softmaxOps);
        }
        if (topkUnit.energyPj().containsKey("compare")) {
            actions.add(topkUnit.name(), "compare", "scores", comparisons);
        }
        EnergyAccountant.Priced priced = new EnergyAccountant(arch).price(actions.build());
        Map<String, Double> energy = priced.byComponentPj();
        double total = priced.totalPj();
        Map<String, Long> busyBy = new LinkedHashMap<>();
        busyBy.put(dram.name(), busy[0]);
        busyBy.put(mul.name(), busy[1]);
        busyBy.put(soft.name(), busy[2]);
        busyBy.put(topkUnit.name(), busy[3]);
        double util = end == 0 ? 0 : (double) macs / mul.pes() / end;
        return new Result(end, end * arch.secondsPerCycle(), new Traffic(keyHigh, keyLow, value), topkCycles, topkRounds,
            recomputed, heads, total, energy, busyBy, util);
    }

    private static float[] scores(float[] given, int n, SplittableRandom random) {
        if (given != null) {
            if (given.length != n) {
                throw new IllegalArgumentException("top-k scores for " + given.length + " candidates, expected " + n);
            }
            return given;
        }
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) random.nextDouble();
        }
        return s;
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
