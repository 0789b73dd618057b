package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        assertFalse(err.toString().contains("Exception") || err.toString().contains("\tat "), "stack trace: " + err);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void checkAcceptsALibraryCascade() {
        Outcome o = run("check", "fusemax");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("fusemax: ok"));
        assertTrue(o.out().contains("steps:    over m1"), o.out());
    }

    @Test
    void checkReportsABrokenFileByLineAndColumnWithExitTwo(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.cas");
        Files.writeString(f, "cascade bad\nrank M, P\ninput S[m,p] : fp32\noutput T[p] : fp32\nT[p] = max_m S[m,q]\n");
        Outcome o = run("check", f.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith(f + ":5:"), o.err());
        assertTrue(o.err().contains("unknown rank index 'q'"), o.err());
        assertEquals("", o.out());
    }

    @Test
    void analyzePrintsPassesOpsAndFootprintAsJson() throws IOException {
        Outcome o = run("analyze", "attention-1pass", "--bind", "M=4096,P=4096,E=64,F=64", "--format", "json");
        assertEquals(0, o.code(), o.err());
        JsonNode json = new ObjectMapper().readTree(o.out());
        assertEquals(1, json.get("passes").asInt());
        assertEquals(2L * 4096 * 4096 * 64, json.get("ops").get("mac").asLong());
        assertTrue(json.get("footprintElements").asLong() < 4096L * 4096, "1-pass must not hold P×M");
    }

    @Test
    void analyzeReportsThreePassesForTheTextbookCascade() throws IOException {
        Outcome o = run("analyze", "attention-3pass", "--bind", "M=256,P=256,E=64,F=64", "--format", "json");
        assertEquals(3, new ObjectMapper().readTree(o.out()).get("passes").asInt());
    }

    @Test
    void runComparesExecutorWithOracle() throws IOException {
        Outcome o = run("run", "attention-causal", "--bind", "M=512,P=64,E=32,F=32", "--seed", "3", "--format", "json");
        assertEquals(0, o.code(), o.err());
        JsonNode json = new ObjectMapper().readTree(o.out());
        assertTrue(json.get("maxRelError").asDouble() <= 1e-5, o.out());
        assertTrue(json.get("executorMs").asDouble() > 0);
    }

    @Test
    void badBindingsAreLocatedInTheOption() {
        Outcome notANumber = run("analyze", "attention-1pass", "--bind", "M=4096,P=lots");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().startsWith("--bind:1:10: size of P must be a whole number"), notANumber.err());
        Outcome unknown = run("analyze", "attention-1pass", "--bind", "M=4096,Q=2");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("--bind:1:8: Q is not a rank or parameter"), unknown.err());
    }

    @Test
    void sizesTakeThePapersSuffixes() {
        Outcome k = run("estimate", "--design", "fusemax", "--workload", "bert", "--seq", "1K", "--format", "json");
        Outcome digits = run("estimate", "--design", "fusemax", "--workload", "bert", "--seq", "1024", "--format", "json");
        assertEquals(0, k.code(), k.err());
        assertEquals(digits.out(), k.out());
        Outcome bound = run("analyze", "attention-1pass", "--bind", "M=4K,P=4096,E=64,F=64");
        assertEquals(run("analyze", "attention-1pass", "--bind", "M=4096,P=4K,E=64,F=64").out(), bound.out());
        Outcome bad = run("estimate", "--design", "fusemax", "--workload", "bert", "--seq", "1.5K");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--seq") && bad.err().contains("expected a whole number such as 1024, 1K"), bad.err());
    }

    /** Leakage over 3·10^14 cycles of 65,536 PEs overflows a count of PE-cycles: it is counted in cycles. */
    @Test
    void aMillionTokenUnfusedLlamaOnSlowMemoryLeaksWithoutOverflow(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("slow.yaml");
        Files.writeString(spec, "sweep: slow\ndesigns: [unfused]\nworkloads: [llama-2-7b]\nseq: [1M]\nbatch: 64\n"
            + "grid:\n  DRAM.bandwidth: [100 GiB/s]\n");
        Outcome o = run("sweep", spec.toString(), "--out", dir.resolve("slow.csv").toString());
        assertEquals(0, o.code(), o.err());
        java.util.List<String> lines = Files.readAllLines(dir.resolve("slow.csv"));
        java.util.List<String> header = java.util.List.of(lines.getFirst().split(","));
        String[] row = lines.get(1).split(",");
        double cycles = Double.parseDouble(row[header.indexOf("cycles")]);
        assertTrue(cycles * 65536 > Long.MAX_VALUE, "the case this guards: " + cycles);
        double energy = Double.parseDouble(row[header.indexOf("energyPj")]);
        assertTrue(Double.isFinite(energy) && energy > 0, row[header.indexOf("energyPj")]);
    }

    @Test
    void anUnknownAssumptionOrALengthFlatsTableLacksIsExitTwo() {
        Outcome bogus = run("estimate", "--design", "flat", "--workload", "bert", "--seq", "1K", "--without", "bogus");
        assertEquals(2, bogus.code());
        assertTrue(bogus.err().startsWith("--without:1:1: unknown assumption 'bogus'"), bogus.err());
        Outcome length = run("estimate", "--design", "flat", "--workload", "bert", "--seq", "2M"); // beyond the table's 1M
        assertEquals(2, length.code());
        assertTrue(length.err().startsWith("designs/flat-configurations.csv:1:1: FLAT's dataflow table lists no "
            + "configuration"), length.err());
    }

    @Test
    void missingSizeNamesTheRankAndItsDeclaration() {
        Outcome o = run("analyze", "attention-1pass", "--bind", "M=4096,E=64,F=64");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("library/attention-1pass.cas:3:12:"), o.err());
        assertTrue(o.err().contains("rank P has no size; bind it with --bind P="), o.err());
    }

    @Test
    void unknownCascadeAndBadOptionsExitWithTwo() {
        assertEquals(2, run("check", "no-such-cascade").code());
        Outcome badFormat = run("analyze", "attention-1pass", "--format", "xml");
        assertEquals(2, badFormat.code());
        assertTrue(badFormat.err().startsWith("--format:1:1: "), badFormat.err());
        assertTrue(badFormat.err().contains("xml"), badFormat.err());
        Outcome unknown = run("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("frobnicate:1:1: "), unknown.err());
        Outcome unknownOption = run("analyze", "attention-1pass", "--bogus");
        assertTrue(unknownOption.err().startsWith("--bogus:1:1: Unknown option"), unknownOption.err());
        Outcome missing = run("sim", "--workload", "bert");
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("--design:1:1: Missing required option"), missing.err());
        Outcome noValue = run("sim", "--design", "fusemax", "--workload", "bert", "--seq");
        assertTrue(noValue.err().startsWith("--seq:1:1: "), noValue.err());
        Outcome badSize = run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "64Q");
        assertTrue(badSize.err().startsWith("--seq:1:1: "), badSize.err());
        Outcome badMaster = run("sweep", "../examples/big-sweep.yaml", "--engine", "spark", "--master", "standalone[99]",
            "--out", "never-written.csv");
        assertEquals(2, badMaster.code());
        assertTrue(badMaster.err().startsWith("--master:1:1: expected local[N], standalone[N]"), badMaster.err());
        assertFalse(Files.exists(Path.of("never-written.csv")));
    }

    /** The model's own bounds (calibration 15%, held out 20%) through the command, and the points in the file's order. */
    @Test
    void devicePredictHoldsTheH100MeasurementsAndReadsPointsWithoutThem(@TempDir Path dir) throws IOException {
        for (var file : java.util.Map.of("h100-attention.csv", 0.15, "h100-attention-held-out.csv", 0.20).entrySet()) {
            Path csv = Path.of("../hw-models/calibration", file.getKey());
            Outcome o = run("device", "predict", "--device", "h100", "--points", csv.toString(), "--format", "json");
            assertEquals(0, o.code(), o.err());
            JsonNode points = new ObjectMapper().readTree(o.out()).get("points");
            java.util.List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#")).skip(1).toList();
            assertEquals(lines.size(), points.size());
            for (int i = 0; i < points.size(); i++) {
                double measured = Double.parseDouble(lines.get(i).substring(lines.get(i).lastIndexOf(',') + 1));
                assertEquals(measured, points.get(i).get("measuredMs").asDouble(), 1e-12);
                double error = points.get(i).get("predictedMs").asDouble() / measured - 1;
                assertTrue(Math.abs(error) <= file.getValue(), file.getKey() + " line " + (i + 3) + ": " + error);
            }
        }
        Path unmeasured = dir.resolve("h200.csv");
        Files.writeString(unmeasured, "kind,batch,heads,kvHeads,queryLen,kvLen,headDim,m,n,k,flops,bytes\n"
            + "decode,1,32,32,1,16384,128,0,0,0,268435456,268451840\ngemm,1,0,0,0,0,0,8192,8192,8192,1099511627776,402653184\n");
        Outcome h200 = run("device", "predict", "--device", "h200", "--points", unmeasured.toString(), "--format", "json");
        assertEquals(0, h200.code(), h200.err());
        JsonNode points = new ObjectMapper().readTree(h200.out()).get("points");
        assertEquals(2, points.size());
        assertFalse(points.get(0).has("measuredMs"));
        Outcome h100 = run("device", "predict", "--device", "h100", "--points", unmeasured.toString(), "--format", "json");
        double decodeSpeedup = new ObjectMapper().readTree(h100.out()).get("points").get(0).get("predictedMs").asDouble()
            / points.get(0).get("predictedMs").asDouble();
        assertTrue(decodeSpeedup > 1.2 && decodeSpeedup < 4.8 / 3.35, "decoding is bandwidth-bound: " + decodeSpeedup);
        Files.writeString(unmeasured, "kind,batch,heads,kvHeads,queryLen,kvLen,headDim,m,n,k,flops,bytes\n"
            + "decode,1,32,32,1,16384,-128,0,0,0,268435456,268451840\n");
        Outcome bad = run("device", "predict", "--device", "h200", "--points", unmeasured.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith(unmeasured + ":2:24: headDim must be"), bad.err());
    }

    @Test
    void runtimeFailureOfACascadeIsExitOneWithoutStackTrace(@TempDir Path dir) throws IOException {
        // Every candidate is masked out, so the top-k has nothing to select: a failure of the
        // cascade at run time, not of its text.
        Path f = dir.resolve("empty-topk.cas");
        Files.writeString(f, "cascade empty-topk\nrank M = 8, J = 2\ninput S[m] : fp32\noutput T[j] : int32\n"
            + "T[j] = topk_m S[m] where m > 100\n");
        Outcome o = run("run", f.toString(), "--no-oracle");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("unmasked candidates"), o.err());
        StringWriter verbose = new StringWriter();
        assertEquals(1, Main.run(new String[] {"run", f.toString(), "--no-oracle", "--verbose"},
            new PrintWriter(new StringWriter()), new PrintWriter(verbose)));
        assertTrue(verbose.toString().contains("\tat "), "--verbose prints the stack trace: " + verbose);
        run("run", f.toString(), "--no-oracle"); // and it does not outlive its run (run() asserts no stack trace)
    }

    @Test
    void quietSilencesProgress(@TempDir Path dir) {
        Outcome loud = run("demo", "--quick", "--out", dir.resolve("a").toString());
        assertTrue(loud.err().contains("demo: ["), loud.err());
        Outcome quiet = run("--quiet", "demo", "--quick", "--out", dir.resolve("b").toString());
        assertEquals(0, quiet.code());
        assertFalse(quiet.err().contains("demo: ["), quiet.err());
    }

    @Test
    void archShowPrintsFiguresWithSourcesAndRejectsBadSpecs(@TempDir Path dir) throws IOException {
        Outcome o = run("arch", "show", "fusemax");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("DRAM.bandwidth") && o.out().contains("400 GiB/s"), o.out());
        assertTrue(o.out().contains("228.46"), "400 GiB/s at 940 MHz in 16-bit words per cycle: " + o.out());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "architecture: x\nclock: 1 GHz\ntechnology: 16 nm\nword: 16 bit\nstorage:\n"
            + "  - name: D\n    kind: dram\n    bandwidth: 10 GB/s\n    read: 1 pJ\n    write: 1 pJ\n    colour: red\n"
            + "compute: []\n");
        Outcome b = run("arch", "show", bad.toString());
        assertEquals(2, b.code());
        assertTrue(b.err().startsWith(bad + ":11:5: unknown key 'colour'"), b.err());
    }

    @Test
    void mapWritesAMappingThatLoadsValidatesAndCostsTheSame(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("best.yaml");
        Outcome o = run("map", "--cascade", "attention-1pass", "--bind", "P=1024,M=1024,E=64,F=64", "--arch", "fusemax",
            "--einsum", "QK", "--unit", "PE2D", "--samples", "20000", "--threads", "1", "--out", out.toString(),
            "--format", "json");
        assertEquals(0, o.code(), o.err());
        long printed = new ObjectMapper().readTree(o.out()).get("best").get(0).get("cycles").asLong();
        cascade.einsum.Cascade onePass = cascade.einsum.CascadeLibrary.load("attention-1pass");
        var sizes = onePass.sizes(java.util.Map.of("P", 1024L, "M", 1024L, "E", 64L, "F", 64L));
        var mapping = cascade.mappings.spec.MappingLoader.load(out);
        var mapped = cascade.mappings.spec.MappingValidator.validate(mapping, onePass, sizes,
            cascade.hw.ArchitectureLoader.preset("fusemax"));
        assertEquals(printed, new cascade.mappings.model.AnalyticalModel().estimate(mapped).cycles());
        Outcome bad = run("map", "--cascade", "attention-1pass", "--bind", "P=1024,M=1024,E=64,F=64", "--arch", "fusemax",
            "--einsum", "AV", "--unit", "PE2D");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("lacks div"), bad.err());
    }

    @Test
    void anUnknownCascadeIsReportedAtItsOption(@TempDir Path dir) {
        Outcome map = run("map", "--cascade", "nonesuch", "--bind", "M=64", "--arch", "fusemax", "--einsum", "QK", "--unit", "PE2D");
        assertEquals(2, map.code());
        assertTrue(map.err().startsWith("--cascade:1:1: no file or library cascade named 'nonesuch'"), map.err());
        Outcome export = run("timeloop", "export", "--arch", "fusemax", "--cascade", "nonesuch", "--einsum", "QK", "--unit", "PE2D",
            "--out", dir.resolve("x").toString());
        assertEquals(2, export.code());
        assertTrue(export.err().startsWith("--cascade:1:1: no file or library cascade named 'nonesuch'"), export.err());
    }

    @Test
    void realParametersAreBoundWithTheSizes() throws IOException {
        Outcome bad = run("run", "attention-calibration", "--bind", "E=8,F=8,P=4,M=16,BETA=abc");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("--bind:1:23: BETA is a real parameter; expected a number such as 0.5, found 'abc'"),
            bad.err());
        Outcome unknown = run("run", "attention-calibration", "--bind", "E=8,GAMMA=0.5");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("GAMMA is not a rank or parameter of attention-calibration; it has BETA, E, F, M, P, S"),
            unknown.err());
        Outcome ok = run("run", "attention-calibration", "--bind", "E=8,F=8,P=4,M=16,BETA=0.25", "--format", "json");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(new ObjectMapper().readTree(ok.out()).get("maxRelError").asDouble() <= 1e-5, ok.out());
    }

    @Test
    void listShowsTheLibrary() {
        Outcome o = run("list");
        assertEquals(0, o.code());
        for (String name : cascade.einsum.CascadeLibrary.names()) {
            assertTrue(o.out().contains(name), name);
        }
    }

    @Test
    void simAndCompareShareTheReportSchema() throws IOException {
        Outcome sim = run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "4096", "--batch", "2", "--format", "json");
        assertEquals(0, sim.code(), sim.err());
        JsonNode s = new ObjectMapper().readTree(sim.out());
        Outcome est = run("estimate", "--design", "fusemax", "--workload", "bert", "--seq", "4096", "--batch", "2",
            "--format", "json");
        JsonNode e = new ObjectMapper().readTree(est.out());
        for (String key : new String[] {"cycles", "seconds", "energyPj", "dramBytes", "util2d", "util1d", "utilization",
            "energyByComponentPj"}) {
            assertTrue(s.has(key) && e.has(key), key);
        }
        assertTrue(s.get("units").get("PE2D").get("busy").asLong() > 0);
        Outcome cmp = run("compare", "--design", "fusemax", "--workload", "bert", "--seq", "4096", "--batch", "2",
            "--format", "json");
        JsonNode c = new ObjectMapper().readTree(cmp.out());
        assertEquals(s.get("cycles").asLong(), c.get("sim").get("cycles").asLong());
        assertEquals(e.get("cycles").asLong(), c.get("model").get("cycles").asLong());
    }

    @Test
    void simRejectsBadInputsWithExitTwoAndWritesNoTrace(@TempDir Path dir) {
        Outcome w = run("sim", "--design", "fusemax", "--workload", "gpt5", "--seq", "1024");
        assertEquals(2, w.code());
        assertTrue(w.err().startsWith("--workload:1:1: unknown model 'gpt5'"), w.err());
        Outcome d = run("sim", "--design", "nope", "--workload", "bert", "--seq", "1024");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("no design preset or file 'nope'"), d.err());
        Outcome n = run("compare", "--design", "fusemax", "--workload", "bert", "--seq", "-5");
        assertEquals(2, n.code());
        Path trace = dir.resolve("t.json");
        Outcome big = run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "1048576", "--trace", trace.toString());
        assertEquals(2, big.code());
        assertTrue(big.err().contains("too long to trace in full"), big.err());
        assertFalse(Files.exists(trace));
        Outcome ext = run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "1024", "--trace", dir.resolve("t.txt").toString());
        assertEquals(2, ext.code());
    }

    @Test
    void sparsityInputsAreCheckedWithExitTwo(@TempDir Path dir) throws IOException {
        Path design = dir.resolve("d.yaml");
        String fusemax = cascade.einsum.Resources.read(cascade.mappings.spec.Design.class, "/designs/fusemax.yaml");
        Files.writeString(design, fusemax + "sparsity:\n  PE2D: sometimes\n");
        long line = fusemax.lines().count() + 2;
        Outcome policy = run("estimate", "--design", design.toString(), "--workload", "bert", "--seq", "1K");
        assertEquals(2, policy.code());
        assertTrue(policy.err().startsWith(design + ":" + line + ":9: unknown sparsity policy 'sometimes'; known: dense, "
            + "blocks, gate, skip"), policy.err());
        Files.writeString(design, fusemax + "sparsity:\n  PE3D: skip\n");
        Outcome unit = run("estimate", "--design", design.toString(), "--workload", "bert", "--seq", "1K");
        assertEquals(2, unit.code());
        assertTrue(unit.err().startsWith(design + ":" + line + ":3: 'PE3D' is neither a compute unit"), unit.err());
        Outcome bind = run("sim", "--design", "fusemax", "--cascade", "streaming-llm", "--bind", "S=4,X=3",
            "--workload", "gpt2", "--seq", "4K");
        assertEquals(2, bind.code());
        assertTrue(bind.err().startsWith("--bind:1:5: X is not a rank or parameter of streaming-llm"), bind.err());
        Outcome op = run("estimate", "--design", "fusemax", "--cascade", "quest", "--workload", "gpt2", "--seq", "4K");
        assertEquals(2, op.code());
        assertTrue(op.err().startsWith("--cascade:1:1: no unit of fusemax has the operators [compare] that TP of quest "
            + "needs"), op.err());
        Outcome none = run("sim", "--design", "fusemax", "--cascade", "nonesuch", "--workload", "gpt2", "--seq", "4K");
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("--cascade:1:1: no file or library cascade named 'nonesuch'"), none.err());
        Outcome queries = run("sim", "--design", "fusemax", "--queries", "0", "--workload", "gpt2", "--seq", "4K");
        assertEquals(2, queries.code());
        assertTrue(queries.err().startsWith("--queries:1:1: must be positive"), queries.err());
    }

    @Test
    void anotherCascadeRunsOnEveryPaperDesign() {
        for (String design : List.of("fusemax", "flat", "unfused")) {
            Outcome o = run("sim", "--design", design, "--cascade", "attention-causal", "--workload", "bert", "--seq", "1000",
                "--batch", "1");
            assertEquals(0, o.code(), design + ": " + o.err());
        }
    }

    @Test
    void anyCascadeRunsOnADesignAndSaysHowItWasBound() throws IOException {
        Outcome o = run("estimate", "--design", "fusemax", "--cascade", "streaming-llm", "--bind", "S=4,W=256",
            "--workload", "gpt2", "--seq", "4K", "--format", "json");
        assertEquals(0, o.code(), o.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(o.out());
        assertEquals("streaming-llm", json.get("cascade").asText());
        assertEquals("PE2D", json.get("units").get("SLNV").asText());
        assertEquals(0, json.get("boundByDefault").size(), "every Einsum of streaming-llm is one fusemax names");
        long kv = json.get("dramBytesByTensor").get("K").asLong() + json.get("dramBytesByTensor").get("V").asLong();
        assertTrue(kv > 0 && kv < json.get("dramBytes").asLong());
        Outcome dense = run("estimate", "--design", "fusemax", "--cascade", "attention-1pass",
            "--workload", "gpt2", "--seq", "4K", "--format", "json");
        var denseJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dense.out());
        assertTrue(json.get("cycles").asLong() < 0.25 * denseJson.get("cycles").asLong(), "StreamingLLM skips the far keys");
    }

    @Test
    void demoWritesTheReproductionWhole(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("demo");
        Outcome o = run("demo", "--quick", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("speedup vs FLAT"), o.out());
        java.util.List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 3 * 3, lines.size(), "header + 3 lengths x 3 designs");
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
        Path notAFolder = dir.resolve("file");
        Files.writeString(notAFolder, "x");
        assertEquals(2, run("demo", "--quick", "--out", notAFolder.toString()).code());
    }

    /** Acceptance: the 1M-token FuseMax simulation (batch 64, BERT) runs in a JVM limited to 2 GiB. */
    @Test
    void millionTokenSimulationRunsInTwoGigabytes(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(java.toString(), "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "sim", "--design", "fusemax", "--workload", "bert",
            "--seq", "1048576", "--format", "json").redirectErrorStream(false).redirectOutput(log.toFile())
            .redirectError(dir.resolve("child.err").toFile()).start();
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "the 1M-token run did not finish");
        assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.err")));
        JsonNode r = new ObjectMapper().readTree(Files.readString(log));
        assertTrue(r.get("util2d").asDouble() > 0.97, r.toString());
    }

    /** Issue 12: running out of heap is one line naming what ran out and the option to raise, exit 1. */
    @Test
    void outOfMemoryIsOneLineWithTheOptionToRaise(@TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path err = dir.resolve("child.err");
        // Q, K, V and AV of 32,768 x 128 floats take 64 MiB; the child has 32.
        Process child = new ProcessBuilder(java.toString(), "-Xmx32m", "--add-modules", "jdk.incubator.vector", "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "run", "attention-1pass", "--bind",
            "P=32768,M=32768,E=128,F=128", "--no-oracle").redirectOutput(dir.resolve("child.out").toFile())
            .redirectError(err.toFile()).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        java.util.List<String> lines = Files.readAllLines(err).stream()
            .filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(1, child.exitValue(), String.join("\n", lines));
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.getFirst().startsWith("cascade: out of memory (Java heap space): the heap is "), lines.getFirst());
        assertTrue(lines.getFirst().contains("CASCADE_JAVA_OPTS=-Xmx2g"), lines.getFirst());
    }

    @Test
    void simWithValuesMatchesTheExecutorAndRefusesHugeRuns() throws IOException {
        for (String design : new String[] {"fusemax", "flat", "unfused"}) {
            Outcome o = run("sim", "--design", design, "--workload", "bert", "--seq", "2048", "--batch", "1", "--values",
                "--format", "json");
            assertEquals(0, o.code(), o.err());
            double err = new ObjectMapper().readTree(o.out()).get("valuesMaxRelativeErrorVsExecutor").asDouble();
            assertTrue(err <= 1e-5, design + ": " + err);
        }
        Outcome big = run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "1048576", "--values");
        assertEquals(2, big.code());
        assertTrue(big.err().startsWith("--values:1:1: about "), big.err());
    }

    @Test
    void spattenReportsReductionAndErrorAndRefusesBadCombinations(@TempDir Path dir) throws IOException {
        Outcome o = run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--keep", "0.8", "--layers", "3",
            "--format", "json");
        assertEquals(0, o.code(), o.err());
        JsonNode r = new ObjectMapper().readTree(o.out());
        assertTrue(r.get("dramReduction").asDouble() > 1, o.out());
        assertTrue(r.get("outputRelativeError").asDouble() >= 0, o.out());
        assertTrue(r.get("dense").get("dramBytes").asLong() > r.get("dramBytes").asLong(), o.out());
        Path scores = dir.resolve("g.scores");
        assertEquals(0, run("trace", "generate", "--workload", "gpt2", "--seq", "512", "--layers", "3", "--out",
            scores.toString()).code());
        Outcome t = run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--keep", "0.8", "--scores",
            scores.toString(), "--format", "json");
        assertEquals(0, t.code(), t.err());
        Outcome viaTrace = run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--keep", "0.8", "--trace",
            scores.toString(), "--format", "json");
        assertEquals(t.out().replace("\"scores\"", "x"), viaTrace.out().replace("\"scores\"", "x"), "--trace FILE.scores = --scores");
        assertEquals(2, run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--trace", "t.json").code());
        Outcome wrongSeq = run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "1024", "--scores", scores.toString());
        assertEquals(2, wrongSeq.code());
        assertTrue(wrongSeq.err().startsWith("--scores:1:1: the trace has 12 heads of 512 tokens"), wrongSeq.err());
        assertEquals(2, run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--keep", "1.5").code());
        assertEquals(2, run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "512", "--keep", "0.5").code());
        assertEquals(2, run("sim", "--design", "spatten", "--workload", "xlm", "--seq", "512").code());
        Outcome noSeq = run("sim", "--design", "spatten", "--workload", "gpt2");
        assertEquals(2, noSeq.code());
        assertTrue(noSeq.err().startsWith("--seq:1:1: is required"), noSeq.err());
        Path summary = dir.resolve("s.csv");
        Files.writeString(summary, String.join(",", cascade.traces.SpattenTrace.COLUMNS)
            + "\n0,0,0,64.0,100,50,6,16,0.05,True,4,20,6,True,False,True,50\n");
        Outcome rel = run("sim", "--design", "spatten", "--spatten-trace", summary.toString(), "--format", "json");
        assertEquals(0, rel.code(), rel.err());
        assertEquals(1, new ObjectMapper().readTree(rel.out()).get("rows").asInt());
        assertEquals(2, run("sim", "--design", "spatten", "--spatten-trace", summary.toString(), "--keep", "0.5").code());
        // The same trace as a design on the general simulator and in the closed form: the row's keys (50 of 64 at 6 bits)
        // and values (20 at 6 bits) against 100 of each at 12.
        for (String[] command : new String[][] {{"sim", "--simulator", "general"}, {"estimate"}}) {
            java.util.List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--design", "spatten", "--spatten-trace", summary.toString(), "--format", "json"));
            Outcome g = run(args.toArray(String[]::new));
            assertEquals(0, g.code(), g.err());
            JsonNode j = new ObjectMapper().readTree(g.out());
            assertEquals(50L * 64 * 6 / 8 + 20L * 64 * 6 / 8, j.get("keyValueBytes").asLong(), g.out());
            assertEquals(2L * 100 * 64 * 12 / 8, j.get("dense").get("keyValueBytes").asLong(), g.out());
            assertEquals(command[0].equals("sim") ? "general" : "closed-form", j.get("model").asText());
        }
        // A design file of one's own (here the preset under another name) takes the release on the general simulator.
        Path own = dir.resolve("own.yaml");
        Files.writeString(own, cascade.einsum.Resources.read(cascade.mappings.spec.Design.class, "/designs/spatten.yaml")
            .replace("design: spatten", "design: own-spatten"));
        Outcome ownRun = run("sim", "--design", own.toString(), "--spatten-trace", summary.toString(), "--format", "json");
        assertEquals(0, ownRun.code(), ownRun.err());
        JsonNode ownJson = new ObjectMapper().readTree(ownRun.out());
        assertEquals("own-spatten", ownJson.get("design").asText());
        assertEquals(50L * 64 * 6 / 8 + 20L * 64 * 6 / 8, ownJson.get("keyValueBytes").asLong(), ownRun.out());
        assertEquals(2, run("sim", "--design", own.toString(), "--spatten-trace", summary.toString(), "--simulator",
            "spatten").code());
        Outcome fusemaxRelease = run("sim", "--design", "fusemax", "--spatten-trace", summary.toString());
        assertEquals(2, fusemaxRelease.code());
        assertTrue(fusemaxRelease.err().startsWith("--design:1:1: SpAtten's heads bind the ranks"), fusemaxRelease.err());
        Outcome general = run("sim", "--design", "spatten", "--simulator", "general", "--spatten-trace", summary.toString(),
            "--keep", "0.5");
        assertEquals(2, general.code());
        assertTrue(general.err().startsWith("--spatten-trace:1:1: a released trace fixes the pruning"), general.err());
        Outcome bound = run("sim", "--design", "spatten", "--simulator", "general", "--workload", "gpt2", "--seq", "512",
            "--keep", "0.5", "--bind", "J=8");
        assertEquals(2, bound.code());
        assertTrue(bound.err().startsWith("--bind:1:1: with --bind the design runs on the workload as it is bound"), bound.err());
        Outcome encoder = run("sim", "--design", "spatten", "--simulator", "general", "--workload", "bert", "--seq", "512");
        assertEquals(2, encoder.code());
        assertTrue(encoder.err().startsWith("--workload:1:1: the spatten design decodes"), encoder.err());
        // A synthetic decoding workload, decided as the pipeline decides it, on the design: the same K and V bytes up to
        // the low bits' partial words, so the same reduction to three digits.
        Outcome pipe = run("sim", "--design", "spatten", "--workload", "gpt2", "--seq", "512", "--keep", "0.8", "--value-keep",
            "0.5", "--layers", "4", "--format", "json");
        Outcome onDesign = run("sim", "--design", "spatten", "--simulator", "general", "--workload", "gpt2", "--seq", "512",
            "--keep", "0.8", "--value-keep", "0.5", "--layers", "4", "--format", "json");
        assertEquals(0, onDesign.code(), onDesign.err());
        JsonNode a = new ObjectMapper().readTree(pipe.out());
        JsonNode b = new ObjectMapper().readTree(onDesign.out());
        assertEquals(a.get("dramReduction").asDouble(), b.get("dramReduction").asDouble(), 1e-3 * a.get("dramReduction").asDouble());
        assertEquals(a.get("recomputedHeads").asLong(), b.get("recomputedHeads").asLong());
        Outcome elsewhere = run("sim", "--design", "fusemax", "--simulator", "general", "--workload", "bert", "--seq", "512");
        assertEquals(2, elsewhere.code());
        assertTrue(elsewhere.err().startsWith("--simulator:1:1: --simulator chooses how --design spatten runs"), elsewhere.err());
        assertEquals(2, run("sim", "--design", "spatten", "--simulator", "general", "--spatten-trace", summary.toString(),
            "--seq", "5").code());
        assertEquals(2, run("estimate", "--design", "spatten", "--spatten-trace", dir.resolve("none.csv").toString()).code());
        Outcome notSpatten = run("estimate", "--design", "fusemax", "--spatten-trace", summary.toString());
        assertEquals(2, notSpatten.code());
        assertTrue(notSpatten.err().startsWith("--design:1:1: SpAtten's heads bind the ranks"), notSpatten.err());
    }

    /** Acceptance 1 of issue #6: the placement, its tokens per dollar, the homogeneous baseline and the gain. */
    @Test
    void offloadPrintsPlacementBaselineAndGainAndRejectsBadTraces(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("r.csv");
        assertEquals(0, run("trace", "requests", "--count", "200", "--rate", "4", "--prompt", "2048", "--output", "128",
            "--out", trace.toString()).code());
        Outcome o = run("offload", "--model", "llama-2-70b", "--trace", trace.toString(), "--compute", "h100", "--memory", "h20",
            "--format", "json");
        assertEquals(0, o.code(), o.err());
        JsonNode r = new ObjectMapper().readTree(o.out());
        assertTrue(r.get("placement").get("memoryDevices").asInt() > 0, o.out());
        assertEquals(0, r.get("baseline").get("memoryDevices").asInt());
        double gain = r.get("throughputPerDollarGain").asDouble();
        assertEquals(r.get("placement").get("tokensPerDollar").asDouble() / r.get("baseline").get("tokensPerDollar").asDouble(),
            gain, 1e-9);
        assertEquals(200, r.get("serving").get("placement").get("requests").asInt());
        assertEquals(200, r.get("serving").get("baseline").get("requests").asInt());
        Files.writeString(trace, "arrival_s,prompt_tokens,output_tokens\n0.0,100,10\n0.5,-3,10\n");
        Outcome bad = run("offload", "--model", "llama-2-70b", "--trace", trace.toString(), "--compute", "h100", "--memory", "h20");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith(trace + ":3:5: prompt_tokens must be"), bad.err());
        assertEquals(2, run("offload", "--model", "llama-9", "--compute", "h100", "--memory", "h20").code());
        assertEquals(2, run("offload", "--model", "llama-2-70b", "--compute", "h100", "--memory", "tpu").code());
    }

    @Test
    void rtlCommandsEmitCosimulateAndRefuseBadInput(@TempDir Path dir) throws IOException {
        Outcome list = run("rtl", "list");
        assertEquals(0, list.code());
        assertTrue(list.out().contains("systolic"), list.out());
        Outcome emit = run("rtl", "emit", "systolic", "--param", "rows=2", "--param", "cols=3", "--out", dir.toString());
        assertEquals(0, emit.code(), emit.err());
        assertTrue(Files.readString(dir.resolve("systolic_2x3.v")).contains("module systolic_2x3"));
        Outcome cosim = run("rtl", "cosim", "vector", "--cycles", "5000", "--work", dir.resolve("work").toString(),
            "--format", "json");
        assertEquals(0, cosim.code(), cosim.err());
        JsonNode r = new ObjectMapper().readTree(cosim.out());
        assertEquals(5000, r.get("cycles").asLong());
        assertEquals(0, r.get("mismatches").asLong());
        assertEquals(2, run("rtl", "cosim", "nope").code());
        assertEquals(2, run("rtl", "emit", "systolic", "--param", "rows=x", "--out", dir.toString()).code());
        assertEquals(2, run("rtl", "bitstream", "huge", "--device", "up5k", "--out", dir.toString()).code());
        assertEquals(2, run("rtl", "bitstream", "default", "--device", "ecp5", "--out", dir.toString()).code());
    }

    /** Issue 18, acceptance 2 and 5: a run through the Verilated attention core, and parameters it cannot be built with. */
    @Test
    void rtlRunAttentionAgreesWithTheModelAndRefusesCoresItCannotBuild(@TempDir Path dir) throws IOException {
        for (String seq : new String[] {"64", "200"}) {
            Outcome run = run("rtl", "run", "attention", "--seq", seq, "--seed", "3", "--work", dir.resolve("work").toString(),
                "--format", "json");
            assertEquals(0, run.code(), run.err());
            JsonNode r = new ObjectMapper().readTree(run.out());
            assertEquals(0, r.get("quantizedMismatches").asLong(), run.out());
            assertEquals(r.get("modelCycles").asLong(), r.get("rtlCycles").asLong(), run.out());
            assertEquals(r.get("formulaCycles").asLong(), r.get("rtlCycles").asLong(), run.out());
            assertTrue(r.get("simulatorCycles").asLong() > 0, run.out());
            assertTrue(r.get("maxRelativeError").asDouble() <= 0.02, run.out());
        }
        String base = Files.readString(Path.of("../hw-models/src/main/resources/rtl/attention-core.yaml"));
        Map<String, String> broken = new java.util.LinkedHashMap<>();
        broken.put("tokens: 256", "tokens: 2");             // a chunk larger than the memory
        broken.put("expFraction: 6", "expFraction: 2");     // too narrow for the head dimension's scale
        broken.put("headDim: 8", "headDim: 12");            // not a power of two
        broken.put("heads: 2", "heads: many");              // not a number
        // The drain as the file describes it must be the one the generator builds: one divider a lane, 17 cycles each.
        broken.put("value: 2\n      source: \"one restoring divider a lane", "value: 4\n      source: \"four dividers");
        broken.put("value: 17 cycles", "value: 9 cycles");
        broken.put("value: 2 cycles", "value: 5 cycles");   // the lanes' exponential: three stages, not six
        for (var b : broken.entrySet()) {
            Path arch = dir.resolve("broken.yaml");
            Files.writeString(arch, base.replace(b.getKey(), b.getValue()));
            int line = 1 + (int) base.substring(0, base.indexOf(b.getKey())).chars().filter(c -> c == '\n').count();
            for (String[] cmd : List.of(new String[] {"rtl", "emit", "attention", "--arch", arch.toString(), "--out",
                    dir.resolve("out").toString()}, new String[] {"rtl", "run", "attention", "--arch", arch.toString()})) {
                Outcome o = run(cmd);
                assertEquals(2, o.code(), b.getValue() + ": " + o.err());
                assertTrue(o.err().contains(arch + ":" + line + ":"), b.getValue() + ": " + o.err());
            }
        }
        assertFalse(Files.exists(dir.resolve("out")), "nothing emitted for a broken core");
        assertEquals(2, run("rtl", "run", "attention", "--seq", "66").code());
        assertEquals(2, run("rtl", "run", "attention", "--seq", "512").code());
        assertEquals(2, run("rtl", "run", "attention", "--heads", "3").code());
        assertEquals(2, run("rtl", "run", "systolic").code());
        assertEquals(2, run("rtl", "emit", "attention", "--param", "rows=2", "--out", dir.toString()).code());
    }

    /**
     * Issue 18, acceptance 3: the attention core's UP5K bitstream; the report's figures are the
     * tools' own; through the pins it computes attention (against the model and the fp32
     * executor); the synthesised netlist agrees with the RTL every cycle. A core too large names
     * what it overflows.
     */
    @Test
    void rtlBitstreamAttentionFitsTheUp5kAndItsNetlistAgreesWithTheRtl(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("up5k");
        Outcome o = run("rtl", "bitstream", "attention", "--device", "up5k", "--out", out.toString(), "--format", "json");
        assertEquals(0, o.code(), o.err());
        JsonNode r = new ObjectMapper().readTree(o.out());
        assertTrue(Files.size(out.resolve("up5k.bin")) > 10_000, "a .bin");
        String pnr = Files.readString(out.resolve("nextpnr-up5k.log"));
        for (String res : List.of("ICESTORM_LC", "ICESTORM_DSP", "ICESTORM_RAM")) {
            JsonNode u = r.get("resources").get(res);
            assertTrue(pnr.matches("(?s).*" + res + ":\\s+" + u.get("used").asLong() + "/\\s*" + u.get("available").asLong()
                + "\\s.*"), res + " as nextpnr reports it: " + u);
        }
        assertTrue(pnr.contains(String.format(java.util.Locale.ROOT, "%.2f MHz", r.get("maxFrequencyMHz").asDouble())),
            "the report's frequency is nextpnr's");
        assertTrue(r.get("resources").get("ICESTORM_DSP").get("used").asLong() > 0, "the array's MACs are on DSPs");
        assertTrue(r.get("postSynthesisCycles").asLong() >= 10_000, o.out());
        assertEquals(0, r.get("postSynthesisMismatches").asLong(), o.out());
        assertEquals(0, r.get("boardQuantizedMismatches").asLong(), o.out());
        assertTrue(r.get("boardMaxRelativeError").asDouble() <= 0.02, o.out());
        Outcome big = run("rtl", "bitstream", "attention", "--arch", "../hw-models/src/main/resources/rtl/attention-core.yaml",
            "--device", "up5k", "--out", dir.resolve("big").toString());
        assertEquals(1, big.code(), big.err());
        assertTrue(big.err().contains("DSP blocks (ICESTORM_DSP), the device has 8"), big.err());
    }
}
