package cascade.sim.spatten;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import cascade.hw.Architecture;
import cascade.hw.TopKEngine;
import cascade.traces.SpattenTrace;
import cascade.traces.SyntheticAttention;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpattenTest {
    static final Architecture ARCH = SpattenRun.architecture();

    static Path release(String name) {
        return cascade.sim.SharedData.of("data", "spatten-workloads", name);
    }

    /** Acceptance 6: the released GPT-2 traces run end to end (their speed: ./cascade bench spatten). */
    @Test
    void releasedTracesRunEndToEnd() throws Exception {
        for (String f : List.of("small.csv", "summary-gpt2-small-wikitext2-per8.csv",
                "summary-gpt2-medium-wikitext2-per0-hp-step5+dedic+glob_p+local_p+hp+topk+quant.csv")) {
            SpattenTrace t = SpattenTrace.read(release(f));
            Map<String, Object> r = SpattenRun.release(ARCH, t, 1);
            assertTrue((long) r.get("cycles") > 0 && (double) r.get("dramReduction") >= 1, f + ": " + r);
            long bytes = t.rows().stream().mapToLong(x -> (long) x.keys() * x.headDim() * (x.keyBits() <= 0 ? 12 : x.keyBits()) / 8
                + (long) x.values() * x.headDim() * (x.valueBits() <= 0 ? 12 : x.valueBits()) / 8).sum();
            assertEquals(bytes, (long) r.get("dramBytes"), "DRAM bytes are the rows' keys and values at their widths");
        }
        assertTrue(SpattenTrace.read(release("small.csv")).config().startsWith("configs/gpt2/"));
    }

    /**
     * The top-k cycles the simulator charges are the engine's on each head's scores: on the
     * released GPT-2 medium trace (top-k rows and local value pruning), summing ceil(n/16)+3 over the
     * rounds of an independently run engine with the same seed gives the same total.
     */
    @Test
    void topkCyclesAreTheEnginesOnEachHead() throws Exception {
        SpattenTrace t = SpattenTrace.read(release("summary-gpt2-medium-wikitext2-per0-hp-step5+dedic+glob_p+local_p+hp+topk+quant.csv"));
        List<SpattenTrace.Row> rows = t.rows().subList(0, 400);
        SpattenTrace head = new SpattenTrace(t.file(), t.config(), rows);
        Map<String, Object> r = SpattenRun.release(ARCH, head, 9);
        TopKEngine engine = new TopKEngine.QuickSelect(16, 3, TopKEngine.Pivot.RANDOM, 1);
        assertEquals(engine, ARCH.compute("TOPK").topk(), "the preset's engine is the release's: 16 lanes, 3 cycles a round");
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        long expected = 0;
        for (SpattenTrace.Row row : rows) {
            if (row.topk() && row.k() < row.keys()) {
                expected += engine.select(draw(random, row.keys()), row.keys(), row.k()).cycles();
            }
            if (row.values() < row.keys()) {
                expected += engine.select(draw(random, row.keys()), row.keys(), row.values()).cycles();
            }
        }
        assertTrue(expected > 0);
        assertEquals(expected, (long) r.get("topkCycles"));
    }

    private static float[] draw(java.util.SplittableRandom random, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) random.nextDouble();
        }
        return s;
    }

    /**
     * Acceptance 4: progressive quantisation — the heads the policy recomputed (from scores it
     * computed with the keys' high bits) are the heads the simulator fetches low bits for, and the
     * low-bit bytes are exactly theirs.
     */
    @Test
    void progressiveQuantisationAgreesBetweenPolicyAndSimulator() {
        SyntheticAttention w = SyntheticAttention.defaults(4, 4, 64, 512, 3);
        SpattenPolicy policy = new SpattenPolicy(0.7, 1, 0.5, 6, 4, 0.05, 6);
        SpattenPolicy.Outcome o = policy.decide(w, 1, ARCH.compute("TOPK").topk());
        assertTrue(o.recomputedHeads() > 0 && o.recomputedHeads() < 16, "some heads recompute: " + o.recomputedHeads());
        SpattenSimulator sim = new SpattenSimulator(ARCH, SpattenSimulator.Units.spatten(), 2, 1);
        SpattenSimulator.Result r = sim.run(o.work());
        assertEquals(o.recomputedHeads(), r.recomputed());
        long lowBytes = o.work().stream().filter(HeadWork::recompute).mapToLong(h -> (long) h.row().keys() * 64 * 4 / 8).sum();
        assertEquals(lowBytes, r.traffic().keyLowBytes());
        // Without quantisation nothing is recomputed and no low bits move.
        SpattenPolicy.Outcome full = new SpattenPolicy(0.7, 1, 0.5, 0, 0, 0.2, 0).decide(w, 1, ARCH.compute("TOPK").topk());
        assertEquals(0, full.recomputedHeads());
        assertEquals(0, sim.run(full.work()).traffic().keyLowBytes());
    }

    /** Acceptance 2's trend: less kept, less DRAM and fewer cycles than dense; the output moves away. */
    @Test
    void keepingLessCutsTrafficAndCostsAccuracy() {
        SyntheticAttention w = SyntheticAttention.defaults(6, 4, 64, 1024, 5);
        double lastReduction = 0;
        double lastError = -1;
        for (double keep : new double[] {1.0, 0.8, 0.5}) {
            Map<String, Object> r = SpattenRun.synthetic(ARCH, w, 1, new SpattenPolicy(keep, 1, 1.0, 0, 0, 0.05, 0), 1);
            double reduction = (double) r.get("dramReduction");
            double error = (double) r.get("outputRelativeError");
            assertTrue(reduction > lastReduction, keep + ": " + reduction);
            assertTrue(error >= lastError, keep + ": " + error);
            if (keep == 1.0) {
                assertEquals(1.0, reduction, 1e-12, "nothing pruned, nothing quantised: the dense traffic");
                assertTrue(error < 1e-5, "and the dense output: " + error);
            }
            lastReduction = reduction;
            lastError = error;
        }
    }

    @Test
    void badReleaseFilesAreLocated(@TempDir Path dir) throws Exception {
        String header = String.join(",", SpattenTrace.COLUMNS);
        Path f = dir.resolve("t.csv");
        Files.writeString(f, header + "\n0,0,0,64.0,100,120,6,16,0.05,True,4,20,6,True,False,False,-1\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SpattenTrace.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2:16: key_fetch_num"), e.getMessage());
        Files.writeString(f, header + "\n0,0,0,64.0,100,90,6,16,0.05,Maybe,4,20,6,True,False,False,-1\n");
        e = assertThrows(InvalidInputException.class, () -> SpattenTrace.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2:29: if_requant is not True or False"), e.getMessage());
        Files.writeString(f, "a,b\n");
        e = assertThrows(InvalidInputException.class, () -> SpattenTrace.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1:1: not a SpAtten workload summary"), e.getMessage());
    }

    /** Acceptance 3: keep ratio x top-k engine, a CSV with cycles, energy, DRAM bytes and error, Pareto marked. */
    @Test
    void sweepOverKeepAndEngineMarksTheFront(@TempDir Path dir) throws Exception {
        String text = """
            spatten: small
            workload: gpt2
            seq: 256
            layers: 3
            valueKeep: 0.5
            keep: [1.0, 0.6]
            topk:
              - {engine: quickselect, parallelism: 16}
              - {engine: bitonic, parallelism: 16}
            """;
        SpattenSweep sweep = SpattenSweep.parse("s.yaml", text);
        Path out = dir.resolve("s.csv");
        new cascade.mappings.sweep.SweepRunner(sweep).run(out, 2, false);
        List<String> lines = Files.readAllLines(out);
        assertEquals("point,keep,engine,parallelism,cycles,energyPj,dramBytes,dramReduction,topkCycles,outputRelativeError,"
            + "top1Agreement,pareto", lines.getFirst());
        assertEquals(5, lines.size());
        List<String[]> rows = lines.subList(1, 5).stream().map(l -> l.split(",")).toList();
        for (String[] r : rows) {
            boolean dominated = false;
            for (String[] o : rows) {
                boolean noWorse = true;
                boolean better = false;
                for (int i : new int[] {4, 5, 9}) {
                    double mine = Double.parseDouble(r[i]);
                    double theirs = Double.parseDouble(o[i]);
                    noWorse &= theirs <= mine;
                    better |= theirs < mine;
                }
                dominated |= noWorse && better;
            }
            assertEquals(!dominated, Boolean.parseBoolean(r[11]), String.join(",", r));
        }
        InvalidInputException bad = assertThrows(InvalidInputException.class,
            () -> SpattenSweep.parse("s.yaml", text.replace("bitonic, parallelism: 16", "bitonic, parallelism: 12")));
        assertTrue(bad.getMessage().startsWith("s.yaml:9:36: a bitonic engine"), bad.getMessage());
    }

    /**
     * A score trace written from a synthetic workload leads to the same decisions as the workload
     * itself (at full key precision, where the trace's probabilities are the workload's): the same
     * keys and values per head, the same recomputed heads, hence the same DRAM traffic.
     */
    @Test
    void scoreTraceDecisionsMatchTheWorkloads(@TempDir Path dir) throws Exception {
        SyntheticAttention w = SyntheticAttention.defaults(3, 4, 64, 512, 11);
        List<cascade.traces.ScoreTrace.Row> rows = new java.util.ArrayList<>();
        for (int l = 0; l < 3; l++) {
            for (int h = 0; h < 4; h++) {
                SyntheticAttention.Head head = w.head(l, h);
                double[] p = SyntheticAttention.probabilities(head.q(), head.k(), 512, null);
                float[] f = new float[p.length];
                for (int i = 0; i < p.length; i++) {
                    f[i] = (float) p[i];
                }
                rows.add(new cascade.traces.ScoreTrace.Row(0, l, h, f));
            }
        }
        Path file = dir.resolve("w.scores");
        cascade.traces.ScoreTrace.write(file, rows);
        SpattenPolicy policy = new SpattenPolicy(0.7, 1, 0.5, 0, 0, 0.05, 0);
        TopKEngine engine = ARCH.compute("TOPK").topk();
        SpattenPolicy.Outcome fromWorkload = policy.decide(w, 1, engine);
        SpattenPolicy.Outcome fromTrace = policy.decide(new ScoreTraceSource(file, 0, 64, 11), 1, engine);
        assertEquals(fromWorkload.work().stream().map(h -> h.row().keys() + "/" + h.row().values() + "/" + h.recompute()).toList(),
            fromTrace.work().stream().map(h -> h.row().keys() + "/" + h.row().values() + "/" + h.recompute()).toList());
        SpattenSimulator sim = new SpattenSimulator(ARCH, SpattenSimulator.Units.spatten(), 2, 1);
        assertEquals(sim.run(fromWorkload.work()).dramBytes(), sim.run(fromTrace.work()).dramBytes());
    }

    /** Cascade head pruning: pruned heads do no work from their layer on, and stay pruned. */
    @Test
    void prunedHeadsStayPruned() {
        SyntheticAttention w = SyntheticAttention.defaults(4, 8, 64, 256, 2);
        SpattenPolicy policy = new SpattenPolicy(1.0, 1, 1.0, 0, 0, 0.05, 0, 0.75);
        SpattenPolicy.Outcome o = policy.decide(w, 1, ARCH.compute("TOPK").topk());
        assertEquals(32, o.dense().size());
        // Layer 0 runs 8 heads, then ceil(0.75 n): 6, 5, 4.
        assertEquals(8 + 6 + 5 + 4, o.work().size());
        assertEquals(32 - o.work().size(), o.prunedHeads());
        for (int layer = 2; layer < 4; layer++) {
            int l = layer;
            java.util.Set<Integer> now = o.work().stream().filter(h -> h.row().layer() == l).map(h -> h.row().head())
                .collect(java.util.stream.Collectors.toSet());
            java.util.Set<Integer> before = o.work().stream().filter(h -> h.row().layer() == l - 1).map(h -> h.row().head())
                .collect(java.util.stream.Collectors.toSet());
            assertTrue(before.containsAll(now), "layer " + l + " runs " + now + ", a subset of " + before);
        }
        assertTrue(o.meanRelativeError() > 0.2, "lost heads count as lost outputs: " + o.meanRelativeError());
    }
}
