package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Tensors;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance: every library cascade, run by the executor in fp32, agrees with attention computed
 * directly (same mask or selection applied by hand) to a max relative error of 1e-5, for
 * P = M from 256 to 2048, E = 64 and 128, on several seeds.
 */
class LibraryAgreesWithTextbookTest {
    private static final double TOLERANCE = 1e-5;
    private static final Executor EXECUTOR = new Executor(2);

    /** The library entries whose textbook test is in this class ({@link AtlasAgreesWithTextbookTest} checks the union). */
    static final java.util.List<String> COVERED = java.util.List.of("attention-3pass", "attention-2pass", "attention-1pass",
        "fusemax", "attention-mha", "attention-gqa", "attention-gqa-heads", "attention-mqa", "attention-causal",
        "attention-decode", "streaming-llm",
        "spatten-token", "spatten-value", "spatten", "quest", "h2o", "linear-attention", "llama-decode-layer");

    @AfterAll
    static void close() {
        EXECUTOR.close();
    }

    /** (length, head dim, seed) */
    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(256, 64, 1L), Arguments.of(256, 128, 2L), Arguments.of(512, 64, 3L),
            Arguments.of(1024, 128, 4L), Arguments.of(2048, 64, 5L), Arguments.of(2048, 128, 6L));
    }

    private static Map<String, float[]> run(Cascade c, Map<String, Long> sizes, Map<String, float[]> in) {
        return EXECUTOR.run(c, sizes, in).outputs();
    }

    private static Map<String, Long> bind(Object... kv) {
        Map<String, Long> b = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            b.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        }
        return b;
    }

    private static void assertClose(String what, float[] actual, double[] expected) {
        double err = Textbook.maxRelativeError(actual, expected);
        assertTrue(err <= TOLERANCE, what + ": max relative error " + err + " > " + TOLERANCE);
    }

    @ParameterizedTest(name = "{0} P=M={1} E={2}")
    @MethodSource("singleHeadCases")
    void singleHeadDense(String name, int n, int e, long seed) {
        Cascade c = CascadeLibrary.load(name);
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", n, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        double[] expected = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, n, n, null);
        assertClose(name, run(c, sizes, in).get("AV"), expected);
    }

    static Stream<Arguments> singleHeadCases() {
        return Stream.of("attention-3pass", "attention-2pass", "attention-1pass", "fusemax")
            .flatMap(name -> shapes().map(a -> Arguments.of(name, a.get()[0], a.get()[1], a.get()[2])));
    }

    @ParameterizedTest(name = "causal P=M={0} E={1}")
    @MethodSource("shapes")
    void causalPrefill(int n, int e, long seed) {
        Cascade c = CascadeLibrary.load("attention-causal");
        int p = n / 2; // chunked prefill: the last P queries of an M-long sequence
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", p, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        double[] expected = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, p, n,
            (mi, pi) -> mi <= pi + n - p);
        assertClose("causal", run(c, sizes, in).get("AV"), expected);
    }

    @ParameterizedTest(name = "streaming-llm P=M={0} E={1}")
    @MethodSource("shapes")
    void sinkAndWindow(int n, int e, long seed) {
        Cascade c = CascadeLibrary.load("streaming-llm");
        int sinks = 4;
        int window = n / 4;
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", n, "M", n, "S", sinks, "W", window));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        double[] expected = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, n, n,
            (mi, pi) -> mi <= pi && (mi < sinks || pi - mi < window));
        assertClose("streaming-llm", run(c, sizes, in).get("AV"), expected);
    }

    @ParameterizedTest(name = "mha P=M={0} E={1}")
    @MethodSource("smallShapes")
    void multiHead(int n, int e, long seed) {
        int b = 2;
        int h = 2;
        Cascade c = CascadeLibrary.load("attention-mha");
        Map<String, Long> sizes = c.sizes(bind("B", b, "H", h, "E", e, "F", e, "P", n, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        int head = e * n;
        for (int x = 0; x < b * h; x++) {
            double[] expected = Textbook.attention(in.get("Q"), x * head, in.get("K"), x * head, in.get("V"), x * head,
                e, e, n, n, null);
            assertClose("mha head " + x, java.util.Arrays.copyOfRange(out, x * head, (x + 1) * head), expected);
        }
    }

    static Stream<Arguments> smallShapes() {
        return Stream.of(Arguments.of(256, 64, 11L), Arguments.of(512, 128, 12L), Arguments.of(2048, 64, 13L));
    }

    @ParameterizedTest(name = "gqa P=M={0} E={1}")
    @MethodSource("smallShapes")
    void groupedQuery(int n, int e, long seed) {
        int b = 2;
        int g = 2;
        int hg = 2;
        Cascade c = CascadeLibrary.load("attention-gqa");
        Map<String, Long> sizes = c.sizes(bind("B", b, "G", g, "HG", hg, "E", e, "F", e, "P", n, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        int head = e * n;
        for (int bi = 0; bi < b; bi++) {
            for (int gi = 0; gi < g; gi++) {
                int kv = (bi * g + gi) * head;
                for (int hi = 0; hi < hg; hi++) {
                    int q = ((bi * g + gi) * hg + hi) * head;
                    double[] expected = Textbook.attention(in.get("Q"), q, in.get("K"), kv, in.get("V"), kv, e, e, n, n, null);
                    assertClose("gqa", java.util.Arrays.copyOfRange(out, q, q + head), expected);
                }
            }
        }
    }

    /** Query head h of H reads key/value head h / G of KH = H / G, written as a quotient subscript. */
    @ParameterizedTest(name = "gqa by h / G, P=M={0} E={1}")
    @MethodSource("smallShapes")
    void groupedQueryByDivision(int n, int e, long seed) {
        int b = 2;
        int g = 3;
        int kh = 2;
        int h = g * kh;
        Cascade c = CascadeLibrary.load("attention-gqa-heads");
        Map<String, Long> sizes = c.sizes(bind("B", b, "H", h, "KH", kh, "G", g, "E", e, "F", e, "P", n, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        int head = e * n;
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int q = (bi * h + hi) * head;
                int kv = (bi * kh + hi / g) * head;
                double[] expected = Textbook.attention(in.get("Q"), q, in.get("K"), kv, in.get("V"), kv, e, e, n, n, null);
                assertClose("gqa by h / G", java.util.Arrays.copyOfRange(out, q, q + head), expected);
            }
        }
    }

    @ParameterizedTest(name = "mqa P=M={0} E={1}")
    @MethodSource("smallShapes")
    void multiQuery(int n, int e, long seed) {
        int b = 2;
        int h = 3;
        Cascade c = CascadeLibrary.load("attention-mqa");
        Map<String, Long> sizes = c.sizes(bind("B", b, "H", h, "E", e, "F", e, "P", n, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        int head = e * n;
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int q = (bi * h + hi) * head;
                double[] expected = Textbook.attention(in.get("Q"), q, in.get("K"), bi * head, in.get("V"), bi * head,
                    e, e, n, n, null);
                assertClose("mqa", java.util.Arrays.copyOfRange(out, q, q + head), expected);
            }
        }
    }

    @ParameterizedTest(name = "decode M={0} E={1}")
    @MethodSource("shapes")
    void decode(int n, int e, long seed) {
        int b = 2;
        int h = 4;
        Cascade c = CascadeLibrary.load("attention-decode");
        Map<String, Long> sizes = c.sizes(bind("B", b, "H", h, "E", e, "F", e, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        for (int x = 0; x < b * h; x++) {
            double[] expected = Textbook.attention(in.get("Q"), x * e, in.get("K"), x * e * n, in.get("V"), x * e * n,
                e, e, 1, n, null);
            assertClose("decode", java.util.Arrays.copyOfRange(out, x * e, (x + 1) * e), expected);
        }
    }

    @ParameterizedTest(name = "spatten-token P=M={0} E={1}")
    @MethodSource("selectionShapes")
    void spattenTokenPruning(int n, int e, long seed) {
        int h = 2;
        int keep = n / 2;
        Cascade c = CascadeLibrary.load("spatten-token");
        Map<String, Long> sizes = c.sizes(bind("H", h, "E", e, "F", e, "P", n, "M", n, "J", keep));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        Map<String, float[]> out = run(c, sizes, in);
        double[] importance = new double[n];
        for (int i = 0; i < n; i++) {
            importance[i] = in.get("IMP")[i];
        }
        int[] kept = Textbook.topIndices(importance, keep);
        double[] impOut = new double[keep];
        for (int hi = 0; hi < h; hi++) {
            // Gather the kept keys and values, then attend densely to them.
            float[] k = new float[e * keep];
            float[] v = new float[e * keep];
            for (int j = 0; j < keep; j++) {
                for (int x = 0; x < e; x++) {
                    k[x * keep + j] = in.get("K")[hi * e * n + x * n + kept[j]];
                    v[x * keep + j] = in.get("V")[hi * e * n + x * n + kept[j]];
                }
            }
            double[] expected = Textbook.attention(in.get("Q"), hi * e * n, k, 0, v, 0, e, e, n, keep, null);
            assertClose("spatten head " + hi, java.util.Arrays.copyOfRange(out.get("AV"), hi * e * n, (hi + 1) * e * n), expected);
            // The probabilities each kept token received, summed over queries, add to its importance.
            double[][] probs = Textbook.probabilities(in.get("Q"), hi * e * n, k, 0, e, n, keep);
            double[] ones = new double[keep];
            for (int j = 0; j < keep; j++) {
                for (double pr : probs[j]) {
                    ones[j] += pr;
                }
            }
            for (int j = 0; j < keep; j++) {
                impOut[j] += ones[j];
            }
        }
        for (int j = 0; j < keep; j++) {
            impOut[j] += importance[kept[j]];
        }
        assertClose("spatten importance", out.get("IMPOUT"), impOut);
    }

    @ParameterizedTest(name = "spatten-value P=M={0} E={1}")
    @MethodSource("selectionShapes")
    void spattenLocalValuePruning(int n, int e, long seed) {
        int keep = n / 4;
        Cascade c = CascadeLibrary.load("spatten-value");
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", n, "M", n, "J", keep));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        double[][] probs = Textbook.probabilities(in.get("Q"), 0, in.get("K"), 0, e, n, n); // [key][query]
        assertClose("spatten-value", out, valuePruned(probs, in.get("V"), e, n, keep));
    }

    /**
     * Each query's values weighted by its {@code keep} most probable keys' probabilities ({@code
     * probs[key][query]}), renormalised over them: local value pruning written out.
     */
    private static double[] valuePruned(double[][] probs, float[] v, int e, int n, int keep) {
        double[] expected = new double[e * n];
        for (int p = 0; p < n; p++) {
            double[] row = new double[n];
            for (int m = 0; m < n; m++) {
                row[m] = probs[m][p];
            }
            int[] kept = Textbook.topIndices(row, keep);
            double sum = 0;
            for (int m : kept) {
                sum += row[m];
            }
            for (int f = 0; f < e; f++) {
                double acc = 0;
                for (int m : kept) {
                    acc += row[m] * v[f * n + m];
                }
                expected[f * n + p] = acc / sum;
            }
        }
        return expected;
    }

    /**
     * SpAtten's step: the values of each query's J most probable keys, renormalised (as
     * spatten-value), and the importance of the T tokens kept, largest first (probabilities summed
     * over queries);
     * with J = T = M, softmax attention over all keys.
     */
    @ParameterizedTest(name = "spatten P=M={0} E={1}")
    @MethodSource("selectionShapes")
    void spattenStep(int n, int e, long seed) {
        Cascade c = CascadeLibrary.load("spatten");
        for (int keep : new int[] {n / 4, n}) {
            int tokens = keep == n ? n : n / 2;
            Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", n, "M", n, "J", keep, "T", tokens));
            Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
            Map<String, float[]> out = run(c, sizes, in);
            double[][] probs = Textbook.probabilities(in.get("Q"), 0, in.get("K"), 0, e, n, n); // [key][query]
            assertClose("spatten J=" + keep, out.get("AV"), valuePruned(probs, in.get("V"), e, n, keep));
            double[] importance = new double[n];
            for (int m = 0; m < n; m++) {
                for (double pr : probs[m]) {
                    importance[m] += pr;
                }
            }
            if (keep == n) {
                assertClose("spatten, nothing pruned", out.get("AV"), Textbook.attention(in.get("Q"), 0, in.get("K"), 0,
                    in.get("V"), 0, e, e, n, n, null));
            }
            int[] top = Textbook.topIndices(importance, tokens);
            double[] kept = new double[tokens];
            for (int t = 0; t < tokens; t++) {
                kept[t] = importance[top[t]];
            }
            assertClose("spatten importance kept, T=" + tokens, out.get("IMPK"), kept);
        }
    }

    /** The decoder layer written out loop by loop in double precision. */
    @Test
    void llamaDecodeLayer() {
        int b = 3, d = 48, g = 2, hg = 3, e = 16, m = 40, sf = 64;
        Cascade c = CascadeLibrary.load("llama-decode-layer");
        Map<String, Long> sizes = c.sizes(bind("B", b, "D", d, "G", g, "HG", hg, "E", e, "M", m, "S", sf));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 41);
        Map<String, float[]> out = run(c, sizes, in);
        float[] x = in.get("X"), wq = in.get("WQ"), wk = in.get("WK"), wv = in.get("WV"), kc = in.get("KC"), vc = in.get("VC");
        float[] wo = in.get("WO"), w1 = in.get("W1"), w3 = in.get("W3"), w2 = in.get("W2");
        double[] kn = new double[b * g * e];
        double[] y = new double[b * d];
        for (int bi = 0; bi < b; bi++) {
            double[] o = new double[d];
            for (int gi = 0; gi < g; gi++) {
                for (int ei = 0; ei < e; ei++) {
                    for (int di = 0; di < d; di++) {
                        kn[(bi * g + gi) * e + ei] += x[bi * d + di] * (double) wk[(gi * e + ei) * d + di];
                    }
                }
                for (int h = 0; h < hg; h++) {
                    double[] q = new double[e];
                    for (int ei = 0; ei < e; ei++) {
                        for (int di = 0; di < d; di++) {
                            q[ei] += x[bi * d + di] * (double) wq[((gi * hg + h) * e + ei) * d + di];
                        }
                    }
                    double[] s = new double[m];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int mi = 0; mi < m; mi++) {
                        for (int ei = 0; ei < e; ei++) {
                            s[mi] += q[ei] / Math.sqrt(e) * kc[((bi * g + gi) * e + ei) * m + mi];
                        }
                        max = Math.max(max, s[mi]);
                    }
                    double sum = 0;
                    for (int mi = 0; mi < m; mi++) {
                        s[mi] = Math.exp(s[mi] - max);
                        sum += s[mi];
                    }
                    for (int ei = 0; ei < e; ei++) {
                        double av = 0;
                        for (int mi = 0; mi < m; mi++) {
                            av += s[mi] * vc[((bi * g + gi) * e + ei) * m + mi];
                        }
                        av /= sum;
                        for (int di = 0; di < d; di++) {
                            o[di] += av * wo[((di * g + gi) * hg + h) * e + ei];
                        }
                    }
                }
            }
            for (int si = 0; si < sf; si++) {
                double h1 = 0, h3 = 0;
                for (int di = 0; di < d; di++) {
                    h1 += o[di] * w1[si * d + di];
                    h3 += o[di] * w3[si * d + di];
                }
                for (int di = 0; di < d; di++) {
                    y[bi * d + di] += h1 * h3 * w2[di * sf + si];
                }
            }
        }
        assertClose("llama KN", out.get("KN"), kn);
        assertClose("llama Y", out.get("Y"), y);
    }

    static Stream<Arguments> selectionShapes() {
        return Stream.of(Arguments.of(256, 64, 21L), Arguments.of(512, 128, 22L), Arguments.of(2048, 64, 23L));
    }

    @ParameterizedTest(name = "quest P={0} E={1}")
    @MethodSource("selectionShapes")
    void questPageSelection(int n, int e, long seed) {
        int page = 16;
        int pages = n / page;
        int keepPages = pages / 4;
        int p = 8; // decode-like: a few queries, each choosing its own pages
        Cascade c = CascadeLibrary.load("quest");
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", p, "M", n, "J", keepPages));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] out = run(c, sizes, in).get("AV");
        float[] q = in.get("Q");
        float[] k = in.get("K");
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double[] bound = new double[pages];
            for (int pg = 0; pg < pages; pg++) {
                for (int x = 0; x < e; x++) {
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < page; t++) {
                        lo = Math.min(lo, k[x * n + pg * page + t]);
                        hi = Math.max(hi, k[x * n + pg * page + t]);
                    }
                    double qx = q[x * p + pi];
                    bound[pg] += Math.max(qx * lo, qx * hi);
                }
            }
            java.util.Set<Integer> chosen = new java.util.HashSet<>();
            for (int pg : Textbook.topIndices(bound, keepPages)) {
                chosen.add(pg);
            }
            float[] oneQuery = new float[e];
            for (int x = 0; x < e; x++) {
                oneQuery[x] = q[x * p + pi];
            }
            double[] col = Textbook.attention(oneQuery, 0, k, 0, in.get("V"), 0, e, e, 1, n,
                (mi, unused) -> chosen.contains(mi / page));
            for (int f = 0; f < e; f++) {
                expected[f * p + pi] = col[f];
            }
        }
        assertClose("quest", out, expected);
    }

    @ParameterizedTest(name = "h2o M={0} E={1}")
    @MethodSource("selectionShapes")
    void heavyHitters(int n, int e, long seed) {
        int heavy = n / 8;
        int window = n / 8;
        int p = 4;
        Cascade c = CascadeLibrary.load("h2o");
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "P", p, "M", n, "J", heavy, "W", window));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        double[] older = new double[n - window];
        for (int i = 0; i < older.length; i++) {
            older[i] = in.get("ACC")[i];
        }
        java.util.Set<Integer> keep = new java.util.HashSet<>();
        for (int i : Textbook.topIndices(older, heavy)) {
            keep.add(i);
        }
        for (int i = n - window; i < n; i++) {
            keep.add(i);
        }
        double[] expected = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, p, n,
            (mi, pi) -> keep.contains(mi));
        assertClose("h2o", run(c, sizes, in).get("AV"), expected);
    }

    @ParameterizedTest(name = "linear M={0} E={1}")
    @MethodSource("smallShapes")
    void linearAttention(int n, int e, long seed) {
        Cascade c = CascadeLibrary.load("linear-attention");
        Map<String, Long> sizes = c.sizes(bind("E", e, "F", e, "M", n));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] q = in.get("Q");
        float[] k = in.get("K");
        float[] v = in.get("V");
        double[] expected = new double[e * n];
        for (int t = 0; t < n; t++) {
            double decay = 1;
            for (int s = t; s >= 0 && decay > 1e-30; s--) {
                double dot = 0;
                for (int x = 0; x < e; x++) {
                    dot += (double) q[x * n + t] * k[x * n + s];
                }
                for (int f = 0; f < e; f++) {
                    expected[f * n + t] += decay * dot * v[f * n + s];
                }
                decay *= 0.95;
            }
        }
        assertClose("linear attention", run(c, sizes, in).get("O"), expected);
    }

}
