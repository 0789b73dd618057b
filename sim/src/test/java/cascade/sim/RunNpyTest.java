package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.ElementType;
import cascade.einsum.exec.Npy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --inputs/--out}: a user's NumPy arrays through the executor, against NumPy's own attention. */
class RunNpyTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(RunNpyTest.class.getResource("/npy/" + name).toURI());
    }

    @Test
    void attentionOnNumpysArraysMatchesNumpysAttention(@TempDir Path out) throws Exception {
        MainTest.Outcome o = MainTest.run("run", "attention-1pass", "--inputs", fixture("attention-1pass").toString(),
            "--out", out.toString(), "--format", "json");
        assertEquals(0, o.code(), o.err());
        Npy.Array av = Npy.read(out.resolve("AV.npy"));
        Npy.Array expected = Npy.read(fixture("attention-1pass-expected-AV.npy"));
        assertArrayEquals(new long[] {6, 5}, av.shape(), "AV[f,p] shaped (F, P) as the inputs bound them");
        assertEquals("float32", av.dtype());
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < av.data().length; i++) {
            worst = Math.max(worst, Math.abs(av.data()[i] - expected.data()[i]));
            largest = Math.max(largest, Math.abs(expected.data()[i]));
        }
        assertTrue(worst / largest <= 1e-5, "relative error " + worst / largest);
        assertTrue(o.out().contains("\"E\" : 8") && o.out().contains("\"M\" : 512"), "sizes from the shapes: " + o.out());
        try (var files = Files.list(out)) {
            assertEquals(1, files.count(), "only AV.npy, no temporary file left behind");
        }
    }

    @Test
    void outWithoutInputsWritesTheRandomRunsOutputs(@TempDir Path out) throws IOException {
        MainTest.Outcome o = MainTest.run("run", "spatten-token", "--bind", "H=2,E=8,F=8,P=4,M=64,J=8", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertArrayEquals(new long[] {2, 8, 4}, Npy.read(out.resolve("AV.npy")).shape());
        assertArrayEquals(new long[] {8}, Npy.read(out.resolve("IMPOUT.npy")).shape());
    }

    /**
     * StreamingLLM with no sinks and no window keeps no key for any query: every row is a
     * normalisation over nothing, defined as zeros, and the run says so (issue 19). A parameter
     * may be bound to 0; the text's 256-key tile shrinks to the 64 keys there are.
     */
    @Test
    void aWindowOfNothingGivesZerosNotNaN(@TempDir Path out) throws IOException {
        MainTest.Outcome o = MainTest.run("run", "streaming-llm", "--bind", "E=16,F=16,P=64,M=64,S=0,W=0", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        Npy.Array av = Npy.read(out.resolve("AV.npy"));
        assertArrayEquals(new long[] {16, 64}, av.shape());
        for (float v : av.data()) {
            assertEquals(0f, v);
        }
        assertTrue(o.out().contains("AV: 1024 elements normalised over nothing"), o.out());
        MainTest.Outcome window = MainTest.run("run", "streaming-llm", "--bind", "E=16,F=16,P=64,M=64,S=0,W=8", "--format", "json");
        assertEquals(0, window.code(), window.err());
        assertTrue(window.out().contains("\"emptyNormalisations\" : { }"), window.out());
        MainTest.Outcome negative = MainTest.run("run", "streaming-llm", "--bind", "E=16,F=16,P=64,M=64,S=-1,W=0");
        assertEquals(2, negative.code());
        assertTrue(negative.err().startsWith("--bind:1:23: size of S must be a whole number"), negative.err());
        MainTest.Outcome emptyRank = MainTest.run("run", "streaming-llm", "--bind", "E=0,F=16,P=64,M=64");
        assertEquals(2, emptyRank.code());
        assertTrue(emptyRank.err().startsWith("--bind:1:3: size of E must be positive"), emptyRank.err());
    }

    /** A NaN key reaches exactly the queries that see it (causal: from its position on); the oracle agrees there. */
    @Test
    void aNaNKeyPoisonsTheQueriesThatSeeItAndNoOthers(@TempDir Path dir) throws IOException {
        int e = 8;
        int m = 64;
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Files.createDirectories(dir.resolve("in"));
        for (String name : new String[] {"Q", "K", "V"}) {
            float[] x = new float[e * m];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
            if (name.equals("K")) {
                x[3 * m + 10] = Float.NaN; // K[e=3, m=10]
            }
            Npy.write(dir.resolve("in").resolve(name + ".npy"), new long[] {e, m}, ElementType.FP32, x);
        }
        MainTest.Outcome o = MainTest.run("run", "attention-causal", "--inputs", dir.resolve("in").toString(), "--out",
            dir.resolve("out").toString(), "--format", "json");
        assertEquals(0, o.code(), o.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(o.out());
        assertEquals((long) e * (m - 10), json.get("nonFiniteOutputs").get("AV").asLong(), "queries 10..63, F values each");
        assertTrue(json.get("maxRelError").asDouble() < 1e-5, "the NaNs agree with the oracle's, the rest too: " + o.out());
        Npy.Array av = Npy.read(dir.resolve("out").resolve("AV.npy"));
        for (int f = 0; f < e; f++) {
            for (int q = 0; q < m; q++) {
                assertEquals(q >= 10, Float.isNaN(av.data()[f * m + q]), "AV[" + f + "," + q + "]");
            }
        }
    }

    private static Path inputs(Path dir, long[] qShape, long[] kShape, long[] vShape) throws IOException {
        Files.createDirectories(dir);
        Npy.write(dir.resolve("Q.npy"), qShape, ElementType.FP32, new float[(int) (qShape[0] * qShape[1])]);
        Npy.write(dir.resolve("K.npy"), kShape, ElementType.FP32, new float[(int) (kShape[0] * kShape[1])]);
        Npy.write(dir.resolve("V.npy"), vShape, ElementType.FP32, new float[(int) (vShape[0] * vShape[1])]);
        return dir;
    }

    private static void refused(Path in, Path out, String where, String message, String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[] {"run", "attention-1pass", "--inputs", in.toString(), "--out", out.toString()}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        MainTest.Outcome o = MainTest.run(args);
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().startsWith(where), o.err());
        assertTrue(o.err().contains(message), o.err());
        assertFalse(Files.exists(out.resolve("AV.npy")), "nothing written after a refused input");
    }

    @Test
    void badArraysAreLocatedErrorsNamingTheTensor(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Path ok = inputs(dir.resolve("ok"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        Files.delete(ok.resolve("V.npy"));
        refused(ok, out, "--inputs:1:1", "input V[f,m] of attention-1pass");

        Path wrongRank = inputs(dir.resolve("rank"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        Npy.write(wrongRank.resolve("K.npy"), new long[] {4, 16, 16}, ElementType.FP32, new float[4 * 256]);
        refused(wrongRank, out, wrongRank.resolve("K.npy") + ":1:1", "K[e,m] has 2 ranks, but the array's shape is (4, 16, 16)");

        Path disagree = inputs(dir.resolve("disagree"), new long[] {4, 3}, new long[] {5, 256}, new long[] {2, 256});
        refused(disagree, out, disagree.resolve("K.npy") + ":1:1", "spans E = 5 (shape (5, 256)), but Q.npy spans E = 4");

        Path integer = inputs(dir.resolve("integer"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        Npy.write(integer.resolve("Q.npy"), new long[] {4, 3}, ElementType.INT8, new float[12]);
        refused(integer, out, integer.resolve("Q.npy") + ":1:1", "Q[e,p] is declared fp32, but the array holds int8");

        Path bound = inputs(dir.resolve("bound"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        refused(bound, out, bound.resolve("Q.npy") + ":1:1", "spans E = 4 (shape (4, 3)), but --bind gives E = 8", "--bind", "E=8");

        Path partition = inputs(dir.resolve("partition"), new long[] {4, 3}, new long[] {4, 300}, new long[] {2, 300});
        refused(partition, out, "library/attention-1pass.cas:4:6", "rank M = 300 is not a multiple of 256");
    }

    @Test
    void aFortranOrderedFileIsReadInRowMajorOrder(@TempDir Path dir) throws IOException {
        // NumPy's np.save(a.T) of a = [[0, 1, 2], [3, 4, 5]] writes shape (3, 2), fortran_order True, data 0..5.
        Npy.write(dir.resolve("t.npy"), new long[] {3, 2}, ElementType.FP32, new float[] {0, 1, 2, 3, 4, 5});
        Path f = dir.resolve("t.npy");
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).replace("'fortran_order': False", "'fortran_order': True ");
        Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, Npy.read(f).data());
    }

    @Test
    void malformedFilesPointIntoTheHeader(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Path complex = inputs(dir.resolve("complex"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        String c = new String(Files.readAllBytes(complex.resolve("Q.npy")), StandardCharsets.ISO_8859_1).replace("'<f4'", "'<c8'");
        Files.write(complex.resolve("Q.npy"), c.getBytes(StandardCharsets.ISO_8859_1));
        refused(complex, out, complex.resolve("Q.npy") + ":1:" + (c.indexOf("<c8") + 1), "not a real number type");

        Path truncated = inputs(dir.resolve("truncated"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        byte[] k = Files.readAllBytes(truncated.resolve("K.npy"));
        Files.write(truncated.resolve("K.npy"), java.util.Arrays.copyOf(k, k.length - 4));
        refused(truncated, out, truncated.resolve("K.npy") + ":1:1", "needs 4096 bytes of data; the file has 4092");

        Path notNpy = inputs(dir.resolve("text"), new long[] {4, 3}, new long[] {4, 256}, new long[] {2, 256});
        Files.writeString(notNpy.resolve("V.npy"), "1,2,3\n");
        refused(notNpy, out, notNpy.resolve("V.npy") + ":1:1", "not a NumPy .npy file");
    }
}
