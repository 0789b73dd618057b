package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The atlas's cascades against each paper's defining formula, computed here in double by plain
 * loops over the formula as the paper writes it (matrix forms where the cascade uses a scan, a
 * direct sum where it uses blocks), never through the IR. Inputs are the executor's seeded random
 * tensors, read in their declared layouts; each case runs at several sizes and seeds.
 */
class AtlasAgreesWithTextbookTest {
    private static final double TOLERANCE = 1e-5;
    private static final Executor EXECUTOR = new Executor(2);

    /** The library entries whose textbook test is in this class. */
    static final List<String> COVERED = List.of("sigmoid-attention", "softplus-attention", "neighborhood-attention", "aaren",
        "mamba-scan", "hydra", "lightning-attention-2", "based", "flowformer", "agent-attention", "kronecker-attention", "moh",
        "tidaldecode", "duo-attention", "attention-calibration", "relative-attention", "landmark-attention", "longheads",
        "biformer", "seer-attention", "s2-attention", "retrieval-attention", "pointer-network", "gaussian-attention",
        "transnormer", "sparse-query-attention", "recycled-attention", "razor-attention", "snapkv", "spatten-progressive");

    @AfterAll
    static void close() {
        EXECUTOR.close();
    }

    private record Run(Map<String, Long> sizes, Map<String, float[]> in, Map<String, float[]> out) {
        float[] get(String tensor) {
            return in.containsKey(tensor) ? in.get(tensor) : out.get(tensor);
        }

        int size(String rank) {
            return Math.toIntExact(sizes.get(rank));
        }
    }

    private static Run run(String name, long seed, Object... kv) {
        return run(name, seed, null, kv);
    }

    /** Runs the library cascade at the sizes given; {@code override} may replace some random inputs first. */
    private static Run run(String name, long seed, Map<String, float[]> override, Object... kv) {
        Cascade c = CascadeLibrary.load(name);
        Map<String, Long> b = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            b.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        }
        Map<String, Long> sizes = c.sizes(b);
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        if (override != null) {
            in.putAll(override);
        }
        return new Run(sizes, in, EXECUTOR.run(c, sizes, in).outputs());
    }

    private static void assertClose(String what, float[] actual, double[] expected) {
        double err = Textbook.maxRelativeError(actual, expected);
        assertTrue(err <= TOLERANCE, what + ": max relative error " + err + " > " + TOLERANCE);
    }

    /** q_p . k_m over e for Q[e,p] and K[e,m] stored row-major, offsets for a head. */
    private static double dot(float[] q, int qOff, int p, int pCount, float[] k, int kOff, int m, int mCount, int e) {
        double s = 0;
        for (int x = 0; x < e; x++) {
            s += (double) q[qOff + x * pCount + p] * k[kOff + x * mCount + m];
        }
        return s;
    }

    /** softmax(scores): weights that sum to one, computed after subtracting the largest score. */
    private static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double den = 0;
        double[] w = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            w[i] = Math.exp(scores[i] - max);
            den += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= den;
        }
        return w;
    }

    /** Softmax-weighted sum of V[f, keys] with the given scores, per output feature; out[f]. */
    private static double[] attend(double[] scores, int[] keys, float[] v, int vOff, int f, int mCount) {
        double[] w = softmax(scores);
        double[] out = new double[f];
        for (int fi = 0; fi < f; fi++) {
            double acc = 0;
            for (int i = 0; i < keys.length; i++) {
                acc += w[i] * v[vOff + fi * mCount + keys[i]];
            }
            out[fi] = acc;
        }
        return out;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    /** Softmax attention of query p over the listed keys of one head, written into out[f,p]. */
    private static void attendInto(double[] out, int p, int pCount, float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                   int e, int f, int mCount, int[] keys) {
        double[] s = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            s[i] = dot(q, qOff, p, pCount, k, kOff, keys[i], mCount, e) / Math.sqrt(e);
        }
        double[] o = attend(s, keys, v, vOff, f, mCount);
        for (int fi = 0; fi < f; fi++) {
            out[fi * pCount + p] = o[fi];
        }
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static int[] keys(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 1", "256, 256, 64, 2", "100, 1000, 128, 3"})
    void sigmoidAttention(int p, int m, int e, long seed) {
        Run r = run("sigmoid-attention", seed, "E", e, "F", e, "P", p, "M", m);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            for (int mi = 0; mi < m; mi++) {
                double w = sigmoid(dot(r.get("Q"), 0, pi, p, r.get("K"), 0, mi, m, e) / Math.sqrt(e) - Math.log(m));
                for (int f = 0; f < e; f++) {
                    expected[f * p + pi] += w * r.get("V")[f * m + mi];
                }
            }
        }
        assertClose("sigmoid attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 4", "256, 256, 64, 5"})
    void softplusAttention(int p, int m, int e, long seed) {
        Run r = run("softplus-attention", seed, "E", e, "F", e, "P", p, "M", m);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double[] w = new double[m];
            double norm = 0;
            for (int mi = 0; mi < m; mi++) {
                w[mi] = softplus(dot(r.get("Q"), 0, pi, p, r.get("K"), 0, mi, m, e) / Math.sqrt(e));
                norm += w[mi];
            }
            for (int f = 0; f < e; f++) {
                double acc = 0;
                for (int mi = 0; mi < m; mi++) {
                    acc += w[mi] / norm * r.get("V")[f * m + mi];
                }
                expected[f * p + pi] = acc;
            }
        }
        assertClose("softplus attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "N={0} H={1}")
    @CsvSource({"64, 3, 32, 6", "200, 7, 64, 7", "33, 16, 16, 8"})
    void neighborhoodAttention(int n, int h, int e, long seed) {
        Run r = run("neighborhood-attention", seed, "E", e, "F", e, "P", n, "M", n, "H", h);
        double[] expected = new double[e * n];
        for (int pi = 0; pi < n; pi++) {
            int start = Math.max(0, Math.min(pi - h, n - 2 * h - 1));
            attendInto(expected, pi, n, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, n, range(start, start + 2 * h + 1));
        }
        assertClose("neighborhood attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "M={0} E={1}")
    @CsvSource({"512, 32, 9", "300, 64, 10"})
    void attentionAsAnRnn(int m, int e, long seed) {
        Run r = run("aaren", seed, "E", e, "F", e, "M", m);
        double[] expected = new double[e * m];
        for (int t = 0; t < m; t++) {
            double[] s = new double[t + 1];
            for (int i = 0; i <= t; i++) {
                s[i] = dot(r.get("Q"), 0, 0, 1, r.get("K"), 0, i, m, e) / Math.sqrt(e);
            }
            double[] o = attend(s, range(0, t + 1), r.get("V"), 0, e, m);
            for (int f = 0; f < e; f++) {
                expected[f * m + t] = o[f];
            }
        }
        assertClose("aaren", r.get("O"), expected);
    }

    @ParameterizedTest(name = "D={0} N={1} T={2}")
    @CsvSource({"16, 8, 64, 11", "32, 16, 200, 12"})
    void mambaSelectiveScan(int d, int n, int t, long seed) {
        Run r = run("mamba-scan", seed, "D", d, "N", n, "T", t);
        float[] x = r.get("X");
        double[] expected = new double[d * t];
        for (int di = 0; di < d; di++) {
            double[] h = new double[n];
            for (int ti = 0; ti < t; ti++) {
                double delta = softplus(r.get("DT")[di * t + ti]);
                double y = 0;
                for (int ni = 0; ni < n; ni++) {
                    double a = -Math.exp(r.get("ALOG")[di * n + ni]);
                    h[ni] = Math.exp(delta * a) * h[ni] + delta * r.get("B")[ni * t + ti] * x[di * t + ti];
                    y += r.get("C")[ni * t + ti] * h[ni];
                }
                expected[di * t + ti] = y + r.get("DS")[di] * x[di * t + ti];
            }
        }
        assertClose("mamba", r.get("Y"), expected);
    }

    @ParameterizedTest(name = "D={0} N={1} T={2}")
    @CsvSource({"16, 8, 64, 13", "8, 4, 150, 14"})
    void hydraQuasiseparableMixer(int d, int n, int t, long seed) {
        Run r = run("hydra", seed, "D", d, "N", n, "T", t);
        double[] af = new double[t];
        double[] ab = new double[t];
        for (int i = 0; i < t; i++) {
            af[i] = Math.exp(-softplus(r.get("AF")[i]));
            ab[i] = Math.exp(-softplus(r.get("AB")[i]));
        }
        // The matrix form: M[t][s] = CF_t.BF_s prod_{s<r<t} af_r below the diagonal, CB_t.BB_s prod_{t<r<s} ab_r above.
        double[] expected = new double[d * t];
        for (int ti = 0; ti < t; ti++) {
            for (int si = 0; si < t; si++) {
                double mix;
                if (si < ti) {
                    double decay = 1;
                    for (int q = si + 1; q < ti; q++) {
                        decay *= af[q];
                    }
                    mix = decay * dotColumns(r.get("CF"), ti, r.get("BF"), si, n, t);
                } else if (si > ti) {
                    double decay = 1;
                    for (int q = ti + 1; q < si; q++) {
                        decay *= ab[q];
                    }
                    mix = decay * dotColumns(r.get("CB"), ti, r.get("BB"), si, n, t);
                } else {
                    continue;
                }
                for (int di = 0; di < d; di++) {
                    expected[di * t + ti] += mix * r.get("X")[di * t + si];
                }
            }
            for (int di = 0; di < d; di++) {
                expected[di * t + ti] += r.get("DG")[di] * r.get("X")[di * t + ti];
            }
        }
        assertClose("hydra", r.get("Y"), expected);
    }

    private static double dotColumns(float[] a, int i, float[] b, int j, int n, int t) {
        double s = 0;
        for (int x = 0; x < n; x++) {
            s += (double) a[x * t + i] * b[x * t + j];
        }
        return s;
    }

    @ParameterizedTest(name = "B={0} C={1} E={2}")
    @CsvSource({"4, 16, 16, 15", "8, 32, 32, 16", "3, 64, 8, 17"})
    void lightningAttention(int blocks, int c, int e, long seed) {
        Run r = run("lightning-attention-2", seed, "E", e, "F", e, "B", blocks, "C", c);
        int n = blocks * c;
        // Tensors are [.., b, c], so token t = b*C + c sits at offset t in each feature's row.
        double[] expected = new double[e * n];
        for (int t = 0; t < n; t++) {
            for (int s = 0; s <= t; s++) {
                double w = Math.pow(0.95, t - s) * dot(r.get("Q"), 0, t, n, r.get("K"), 0, s, n, e);
                for (int f = 0; f < e; f++) {
                    expected[f * n + t] += w * r.get("V")[f * n + s];
                }
            }
        }
        assertClose("lightning attention", r.get("O"), expected);
    }

    @Test
    void realParametersBindTheDecayAndTheCalibration() {
        Cascade c = CascadeLibrary.load("lightning-attention-2").withParameters(Map.of("LAMBDA", 0.8));
        assertEquals(Map.of("LAMBDA", 0.8), c.realParameters());
        int blocks = 3;
        int chunk = 16;
        int e = 8;
        int n = blocks * chunk;
        Map<String, Long> sizes = c.sizes(Map.of("E", (long) e, "F", (long) e, "B", (long) blocks, "C", (long) chunk));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 58);
        float[] out = EXECUTOR.run(c, sizes, in).outputs().get("O");
        double[] expected = new double[e * n];
        for (int t = 0; t < n; t++) {
            for (int s = 0; s <= t; s++) {
                double w = Math.pow(0.8, t - s) * dot(in.get("Q"), 0, t, n, in.get("K"), 0, s, n, e);
                for (int f = 0; f < e; f++) {
                    expected[f * n + t] += w * in.get("V")[f * n + s];
                }
            }
        }
        assertClose("lightning at lambda 0.8", out, expected);
        Cascade act = CascadeLibrary.load("attention-calibration");
        Map<String, Long> small = act.sizes(Map.of("E", 8L, "F", 8L, "P", 4L, "M", 16L, "S", 1L));
        Map<String, float[]> x = Tensors.randomInputs(act, small, 59);
        float[] at04 = EXECUTOR.run(act, small, x).outputs().get("AV");
        float[] at10 = EXECUTOR.run(act.withParameters(Map.of("BETA", 1.0)), small, x).outputs().get("AV");
        double[] plain = Textbook.attention(x.get("Q"), 0, x.get("K"), 0, x.get("V"), 0, 8, 8, 4, 16, null);
        assertClose("beta = 1 leaves attention as it was", at10, plain);
        assertTrue(Textbook.maxRelativeError(at04, plain) > 1e-3, "beta = 0.4 moves it");
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 18", "256, 256, 16, 19"})
    void basedTaylorAttention(int p, int m, int e, long seed) {
        Run r = run("based", seed, "E", e, "F", e, "P", p, "M", m);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double den = 0;
            double[] num = new double[e];
            for (int mi = 0; mi <= pi + m - p; mi++) {
                double s = dot(r.get("Q"), 0, pi, p, r.get("K"), 0, mi, m, e) / Math.sqrt(e);
                double a = 1 + s + s * s / 2;
                den += a;
                for (int f = 0; f < e; f++) {
                    num[f] += a * r.get("V")[f * m + mi];
                }
            }
            for (int f = 0; f < e; f++) {
                expected[f * p + pi] = num[f] / den;
            }
        }
        assertClose("based", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 20", "128, 128, 64, 21"})
    void flowformerConservationFlows(int p, int m, int e, long seed) {
        Run r = run("flowformer", seed, "E", e, "F", e, "P", p, "M", m);
        double[][] fq = new double[p][e];
        double[][] fk = new double[m][e];
        for (int x = 0; x < e; x++) {
            for (int i = 0; i < p; i++) {
                fq[i][x] = sigmoid(r.get("Q")[x * p + i]);
            }
            for (int j = 0; j < m; j++) {
                fk[j][x] = sigmoid(r.get("K")[x * m + j]);
            }
        }
        double[] incoming = new double[p];
        double[] outgoing = new double[m];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < m; j++) {
                double w = dot(fq[i], fk[j]);
                incoming[i] += w;
                outgoing[j] += w;
            }
        }
        double[] incomingConserved = new double[p];
        double[] outgoingConserved = new double[m];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < m; j++) {
                double w = dot(fq[i], fk[j]);
                incomingConserved[i] += w / outgoing[j];
                outgoingConserved[j] += w / incoming[i];
            }
        }
        double[] sourceShare = softmax(outgoingConserved);
        double[] expected = new double[e * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < m; j++) {
                double competition = m * sourceShare[j];
                double w = dot(fq[i], fk[j]) / incoming[i] * sigmoid(incomingConserved[i]) * competition;
                for (int f = 0; f < e; f++) {
                    expected[f * p + i] += w * r.get("V")[f * m + j];
                }
            }
        }
        assertClose("flowformer", r.get("R"), expected);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 22", "256, 128, 16, 23"})
    void agentAttention(int p, int m, int e, long seed) {
        Run r = run("agent-attention", seed, "E", e, "F", e, "P", p, "M", m);
        int group = 16;
        int agents = p / group;
        double[] agentD = new double[e * agents];
        for (int x = 0; x < e; x++) {
            for (int a = 0; a < agents; a++) {
                for (int i = 0; i < group; i++) {
                    agentD[x * agents + a] += r.get("Q")[x * p + a * group + i] / (double) group;
                }
            }
        }
        // Agent aggregation: each agent attends to the keys.
        double[][] va = new double[agents][];
        for (int a = 0; a < agents; a++) {
            double[] s = new double[m];
            for (int j = 0; j < m; j++) {
                double d = 0;
                for (int x = 0; x < e; x++) {
                    d += agentD[x * agents + a] * r.get("K")[x * m + j];
                }
                s[j] = d / Math.sqrt(e);
            }
            va[a] = attend(s, range(0, m), r.get("V"), 0, e, m);
        }
        // Agent broadcast: each query attends to the agents, whose values are va.
        double[] expected = new double[e * p];
        for (int i = 0; i < p; i++) {
            double[] s = new double[agents];
            for (int a = 0; a < agents; a++) {
                double d = 0;
                for (int x = 0; x < e; x++) {
                    d += r.get("Q")[x * p + i] * agentD[x * agents + a];
                }
                s[a] = d / Math.sqrt(e);
            }
            double[] w = softmax(s);
            for (int f = 0; f < e; f++) {
                double acc = 0;
                for (int a = 0; a < agents; a++) {
                    acc += w[a] * va[a][f];
                }
                expected[f * p + i] = acc;
            }
        }
        assertClose("agent attention", r.get("O"), expected);
    }

    @ParameterizedTest(name = "P={0} A={1} B={2}")
    @CsvSource({"8, 16, 16, 16, 24", "20, 32, 8, 32, 25"})
    void kroneckerAttention(int p, int a, int b, int e, long seed) {
        Run r = run("kronecker-attention", seed, "E", e, "F", e, "P", p, "A", a, "B", b);
        double[] expected = new double[e * p];
        for (int i = 0; i < p; i++) {
            double[][] s = new double[a][b];
            double max = Double.NEGATIVE_INFINITY;
            for (int ai = 0; ai < a; ai++) {
                for (int bi = 0; bi < b; bi++) {
                    double t = 0;
                    for (int x = 0; x < e; x++) {
                        t += (double) r.get("Q")[x * p + i] * r.get("K1")[x * a + ai] * r.get("K2")[x * b + bi];
                    }
                    s[ai][bi] = t / e;
                    max = Math.max(max, s[ai][bi]);
                }
            }
            double den = 0;
            double[] num = new double[e];
            for (int ai = 0; ai < a; ai++) {
                for (int bi = 0; bi < b; bi++) {
                    double w = Math.exp(s[ai][bi] - max);
                    den += w;
                    for (int f = 0; f < e; f++) {
                        num[f] += w * r.get("V1")[f * a + ai] * r.get("V2")[f * b + bi];
                    }
                }
            }
            for (int f = 0; f < e; f++) {
                expected[f * p + i] = num[f] / den;
            }
        }
        assertClose("kronecker attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "H={0} J={1} N={2}")
    @CsvSource({"4, 2, 64, 16, 26", "8, 3, 128, 32, 27"})
    void mixtureOfHeads(int h, int j, int n, int e, long seed) {
        int p = n / 4;
        Run r = run("moh", seed, "H", h, "E", e, "F", e, "P", p, "M", n, "J", j);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double[] router = new double[h];
            for (int hi = 0; hi < h; hi++) {
                router[hi] = r.get("R")[hi * p + pi];
            }
            int[] chosen = Textbook.topIndices(router, j);
            double[] gates = softmax(java.util.Arrays.stream(chosen).mapToDouble(c -> router[c]).toArray());
            for (int k = 0; k < chosen.length; k++) {
                int c = chosen[k];
                double g = gates[k];
                double[] head = new double[e * p];
                attendInto(head, pi, p, r.get("Q"), c * e * p, r.get("K"), c * e * n, r.get("V"), c * e * n, e, e, n, range(0, n));
                for (int f = 0; f < e; f++) {
                    expected[f * p + pi] += g * head[f * p + pi];
                }
            }
        }
        assertClose("moh", r.get("O"), expected);
    }

    @ParameterizedTest(name = "M={0} J={1} E={2}")
    @CsvSource({"512, 32, 32, 28", "2048, 100, 64, 29"})
    void tidalDecode(int m, int j, int e, long seed) {
        Run r = run("tidaldecode", seed, "E", e, "F", e, "M", m, "J", j);
        double[] selection = new double[m];
        for (int mi = 0; mi < m; mi++) {
            selection[mi] = dot(r.get("QS"), 0, 0, 1, r.get("KS"), 0, mi, m, e);
        }
        double[] expected = new double[e];
        attendInto(expected, 0, 1, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, m, Textbook.topIndices(selection, j));
        assertClose("tidaldecode", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "H={0} P={1} M={2}")
    @CsvSource({"2, 48, 512, 32, 30", "4, 256, 1024, 16, 31"})
    void duoAttention(int h, int p, int m, int e, long seed) {
        int sinks = 4;
        int window = 64;
        float[] retrieval = new float[h];
        for (int hi = 0; hi < h; hi += 2) {
            retrieval[hi] = 1; // even heads retrieval, odd heads streaming
        }
        Run r = run("duo-attention", seed, Map.of("RET", retrieval), "H", h, "E", e, "F", e, "P", p, "M", m, "S", sinks, "W", window);
        float[] out = r.get("AV");
        int head = e * p;
        for (int hi = 0; hi < h; hi++) {
            double[] expected = new double[head];
            for (int pi = 0; pi < p; pi++) {
                int last = pi + m - p;
                List<Integer> keys = new ArrayList<>();
                for (int mi = 0; mi <= last; mi++) {
                    if (retrieval[hi] != 0 || mi < sinks || last - mi < window) {
                        keys.add(mi);
                    }
                }
                attendInto(expected, pi, p, r.get("Q"), hi * head, r.get("K"), hi * e * m, r.get("V"), hi * e * m, e, e, m, keys(keys));
            }
            assertClose("duo head " + hi, java.util.Arrays.copyOfRange(out, hi * head, (hi + 1) * head), expected);
        }
    }

    @ParameterizedTest(name = "P={0} M={1} S={2}")
    @CsvSource({"48, 512, 1, 32, 32", "128, 256, 4, 64, 33"})
    void attentionCalibration(int p, int m, int sinks, int e, long seed) {
        Run r = run("attention-calibration", seed, "E", e, "F", e, "P", p, "M", m, "S", sinks);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double[] scores = new double[m];
            for (int mi = 0; mi < m; mi++) {
                scores[mi] = dot(r.get("Q"), 0, pi, p, r.get("K"), 0, mi, m, e) / Math.sqrt(e);
            }
            double[] a = softmax(scores);
            double sinkMass = 0;
            for (int mi = 0; mi < sinks; mi++) {
                sinkMass += a[mi];
            }
            double total = 0;
            for (int mi = 0; mi < m; mi++) {
                double calibrated = mi < sinks ? 0.4 * a[mi] : a[mi] + 0.6 * sinkMass * a[mi] / (1 - sinkMass);
                total += calibrated;
                for (int f = 0; f < e; f++) {
                    expected[f * p + pi] += calibrated * r.get("V")[f * m + mi];
                }
            }
            assertEquals(1, total, 1e-9, "a calibrated row still sums to one");
        }
        assertClose("attention calibration", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "P={0} M={1}")
    @CsvSource({"48, 512, 32, 34", "200, 200, 16, 35"})
    void relativeAttention(int p, int m, int e, long seed) {
        int rCount = m + p - 1;
        Run r = run("relative-attention", seed, "E", e, "F", e, "P", p, "M", m, "R", rCount);
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            int last = pi + m - p;
            double[] s = new double[last + 1];
            for (int mi = 0; mi <= last; mi++) {
                int distance = last - mi;
                s[mi] = (dot(r.get("Q"), 0, pi, p, r.get("K"), 0, mi, m, e)
                    + dot(r.get("Q"), 0, pi, p, r.get("ER"), 0, distance + p - 1, rCount, e)) / Math.sqrt(e);
            }
            double[] o = attend(s, range(0, last + 1), r.get("V"), 0, e, m);
            for (int f = 0; f < e; f++) {
                expected[f * p + pi] = o[f];
            }
        }
        assertClose("relative attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "P={0} M={1} J={2}")
    @CsvSource({"8, 512, 2, 32, 36", "16, 2048, 5, 64, 37"})
    void landmarkAttention(int p, int m, int j, int e, long seed) {
        Run r = run("landmark-attention", seed, "E", e, "F", e, "P", p, "M", m, "J", j);
        int block = 64;
        int blocks = m / block;
        double[] expected = new double[e * p];
        for (int pi = 0; pi < p; pi++) {
            double[] landmark = new double[blocks];
            for (int bl = 0; bl < blocks; bl++) {
                landmark[bl] = dot(r.get("Q"), 0, pi, p, r.get("LK"), 0, bl, blocks, e) / Math.sqrt(e);
            }
            int[] chosen = Textbook.topIndices(landmark, j);
            double[] blockWeights = softmax(java.util.Arrays.stream(chosen).mapToDouble(c -> landmark[c]).toArray());
            for (int k = 0; k < chosen.length; k++) {
                int c = chosen[k];
                double blockWeight = blockWeights[k];
                double[] within = new double[e * p];
                attendInto(within, pi, p, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, m, range(c * block, (c + 1) * block));
                for (int f = 0; f < e; f++) {
                    expected[f * p + pi] += blockWeight * within[f * p + pi];
                }
            }
        }
        assertClose("landmark attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "H={0} M={1} J={2}")
    @CsvSource({"2, 512, 2, 16, 38", "3, 1024, 4, 32, 39"})
    void longHeads(int h, int m, int j, int e, long seed) {
        int p = 8;
        Run r = run("longheads", seed, "H", h, "E", e, "F", e, "P", p, "M", m, "J", j);
        int chunk = 64;
        int chunks = m / chunk;
        float[] out = r.get("AV");
        for (int hi = 0; hi < h; hi++) {
            double[] expected = new double[e * p];
            for (int pi = 0; pi < p; pi++) {
                double[] score = new double[chunks];
                for (int ch = 0; ch < chunks; ch++) {
                    for (int x = 0; x < e; x++) {
                        double mean = 0;
                        for (int t = 0; t < chunk; t++) {
                            mean += r.get("K")[hi * e * m + x * m + ch * chunk + t] / (double) chunk;
                        }
                        score[ch] += r.get("Q")[hi * e * p + x * p + pi] * mean;
                    }
                }
                List<Integer> keys = new ArrayList<>();
                for (int c : Textbook.topIndices(score, j)) {
                    for (int t = 0; t < chunk; t++) {
                        keys.add(c * chunk + t);
                    }
                }
                attendInto(expected, pi, p, r.get("Q"), hi * e * p, r.get("K"), hi * e * m, r.get("V"), hi * e * m, e, e, m, keys(keys));
            }
            assertClose("longheads head " + hi, java.util.Arrays.copyOfRange(out, hi * e * p, (hi + 1) * e * p), expected);
        }
    }

    /** Region routing shared by BiFormer and SeerAttention: region scores in, token attention over the chosen regions out. */
    private static double[] routedRegions(Run r, double[][] regionScore, int p, int m, int e, int j, int region) {
        double[] expected = new double[e * p];
        for (int qr = 0; qr < p / region; qr++) {
            List<Integer> keys = new ArrayList<>();
            for (int kr : Textbook.topIndices(regionScore[qr], j)) {
                for (int t = 0; t < region; t++) {
                    keys.add(kr * region + t);
                }
            }
            for (int qt = 0; qt < region; qt++) {
                attendInto(expected, qr * region + qt, p, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, m, keys(keys));
            }
        }
        return expected;
    }

    private static double[][] regionMeans(float[] x, int e, int n, int region) {
        double[][] means = new double[n / region][e];
        for (int g = 0; g < n / region; g++) {
            for (int i = 0; i < e; i++) {
                for (int t = 0; t < region; t++) {
                    means[g][i] += x[i * n + g * region + t] / (double) region;
                }
            }
        }
        return means;
    }

    @ParameterizedTest(name = "P={0} M={1} J={2}")
    @CsvSource({"64, 128, 2, 16, 40", "128, 256, 3, 32, 41"})
    void biLevelRoutingAttention(int p, int m, int j, int e, long seed) {
        Run r = run("biformer", seed, "E", e, "F", e, "P", p, "M", m, "J", j);
        int region = 16;
        double[][] qm = regionMeans(r.get("Q"), e, p, region);
        double[][] km = regionMeans(r.get("K"), e, m, region);
        double[][] affinity = new double[qm.length][km.length];
        for (int a = 0; a < qm.length; a++) {
            for (int b = 0; b < km.length; b++) {
                affinity[a][b] = dot(qm[a], km[b]);
            }
        }
        assertClose("biformer", r.get("AV"), routedRegions(r, affinity, p, m, e, j, region));
    }

    @ParameterizedTest(name = "P={0} M={1} J={2}")
    @CsvSource({"64, 128, 2, 16, 8, 42", "128, 256, 3, 32, 16, 43"})
    void seerAttentionGate(int p, int m, int j, int e, int g, long seed) {
        Run r = run("seer-attention", seed, "E", e, "G", g, "F", e, "P", p, "M", m, "J", j);
        int block = 16;
        double[][] qp = regionMeans(r.get("Q"), e, p, block);
        double[][] ka = regionMeans(r.get("K"), e, m, block);
        int kBlocks = m / block;
        double[][] gateK = new double[kBlocks][g];
        for (int kb = 0; kb < kBlocks; kb++) {
            for (int x = 0; x < e; x++) {
                double max = Double.NEGATIVE_INFINITY;
                double min = Double.POSITIVE_INFINITY;
                for (int t = 0; t < block; t++) {
                    double v = r.get("K")[x * m + kb * block + t];
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
                for (int gi = 0; gi < g; gi++) {
                    gateK[kb][gi] += r.get("WKA")[gi * e + x] * ka[kb][x] + r.get("WKX")[gi * e + x] * max + r.get("WKN")[gi * e + x] * min;
                }
            }
        }
        double[][] score = new double[p / block][kBlocks];
        for (int qb = 0; qb < p / block; qb++) {
            double[] gateQ = new double[g];
            for (int gi = 0; gi < g; gi++) {
                for (int x = 0; x < e; x++) {
                    gateQ[gi] += r.get("WQ")[gi * e + x] * qp[qb][x];
                }
            }
            for (int kb = 0; kb < kBlocks; kb++) {
                score[qb][kb] = dot(gateQ, gateK[kb]);
            }
        }
        assertClose("seer attention", r.get("AV"), routedRegions(r, score, p, m, e, j, block));
    }

    @ParameterizedTest(name = "H={0} P={1} M={2}")
    @CsvSource({"4, 48, 512, 16, 16, 44", "8, 64, 256, 32, 8, 45"})
    void contextShardingAmongHeads(int h, int p, int m, int window, int e, long seed) {
        Run r = run("s2-attention", seed, "H", h, "MH", h, "E", e, "F", e, "P", p, "M", m, "W", window);
        float[] out = r.get("AV");
        int head = e * p;
        for (int hi = 0; hi < h; hi++) {
            double[] expected = new double[head];
            for (int pi = 0; pi < p; pi++) {
                int last = pi + m - p;
                List<Integer> keys = new ArrayList<>();
                for (int mi = 0; mi <= last; mi++) {
                    if (mi % h == hi || last - mi < window) {
                        keys.add(mi);
                    }
                }
                attendInto(expected, pi, p, r.get("Q"), hi * head, r.get("K"), hi * e * m, r.get("V"), hi * e * m, e, e, m, keys(keys));
            }
            assertClose("s2 head " + hi, java.util.Arrays.copyOfRange(out, hi * head, (hi + 1) * head), expected);
        }
    }

    @ParameterizedTest(name = "M={0} J={1}")
    @CsvSource({"512, 16, 32, 32, 46", "2048, 64, 64, 64, 47"})
    void retrievalAttention(int m, int j, int window, int e, long seed) {
        int sinks = 4;
        Run r = run("retrieval-attention", seed, "E", e, "F", e, "M", m, "J", j, "S", sinks, "W", window);
        double[] rest = new double[m];
        for (int mi = 0; mi < m; mi++) {
            boolean fixed = mi < sinks || mi >= m - window;
            rest[mi] = fixed ? Double.NEGATIVE_INFINITY : dot(r.get("Q"), 0, 0, 1, r.get("K"), 0, mi, m, e);
        }
        Set<Integer> keys = new TreeSet<>();
        for (int mi = 0; mi < m; mi++) {
            if (mi < sinks || mi >= m - window) {
                keys.add(mi);
            }
        }
        for (int t : Textbook.topIndices(rest, j)) {
            assertTrue(keys.add(t), "a retrieved key is outside the static set");
        }
        double[] expected = new double[e];
        attendInto(expected, 0, 1, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, m, keys(new ArrayList<>(keys)));
        assertClose("retrieval attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "G={0} P={1} M={2}")
    @CsvSource({"16, 8, 32, 48", "64, 20, 100, 49"})
    void pointerNetwork(int g, int p, int m, long seed) {
        Run r = run("pointer-network", seed, "G", g, "P", p, "M", m);
        double[] expected = new double[m * p];
        for (int pi = 0; pi < p; pi++) {
            double[] u = new double[m];
            for (int mi = 0; mi < m; mi++) {
                for (int gi = 0; gi < g; gi++) {
                    u[mi] += r.get("VA")[gi] * Math.tanh(r.get("EK")[gi * m + mi] + r.get("DQ")[gi * p + pi]);
                }
            }
            double[] pointer = softmax(u);
            for (int mi = 0; mi < m; mi++) {
                expected[mi * p + pi] = pointer[mi];
            }
        }
        assertClose("pointer network", r.get("PTR"), expected);
    }

    @ParameterizedTest(name = "D={0} M={1}")
    @CsvSource({"16, 64, 50", "32, 500, 51"})
    void gaussianAdaptiveAttention(int d, int m, long seed) {
        Run r = run("gaussian-attention", seed, "D", d, "M", m);
        float[] x = r.get("X");
        double[] expected = new double[d * m];
        for (int di = 0; di < d; di++) {
            double mean = 0;
            for (int mi = 0; mi < m; mi++) {
                mean += x[di * m + mi] / (double) m;
            }
            double variance = 0;
            for (int mi = 0; mi < m; mi++) {
                variance += (x[di * m + mi] - mean) * (x[di * m + mi] - mean) / m;
            }
            double mu = mean + r.get("DMU")[di];
            double sigma2 = variance * Math.exp(r.get("SV")[di]);
            double[] w = new double[m];
            double norm = 0;
            for (int mi = 0; mi < m; mi++) {
                double z = x[di * m + mi] - mu;
                w[mi] = Math.exp(-z * z / (2 * sigma2 + 1e-5));
                norm += w[mi];
            }
            for (int mi = 0; mi < m; mi++) {
                expected[di * m + mi] = x[di * m + mi] * w[mi] / norm;
            }
        }
        assertClose("gaussian attention", r.get("Y"), expected);
    }

    @ParameterizedTest(name = "M={0} E={1}")
    @CsvSource({"256, 16, 52", "500, 32, 53"})
    void transNormerSrmsNorm(int m, int e, long seed) {
        Run r = run("transnormer", seed, "E", e, "F", e, "M", m);
        double[] expected = new double[e * m];
        for (int t = 0; t < m; t++) {
            double[] u = new double[e];
            for (int s = 0; s <= t; s++) {
                double w = Math.pow(0.95, t - s) * dot(r.get("Q"), 0, t, m, r.get("K"), 0, s, m, e);
                for (int f = 0; f < e; f++) {
                    u[f] += w * r.get("V")[f * m + s];
                }
            }
            double meanSquare = 0;
            for (double x : u) {
                meanSquare += x * x / e;
            }
            for (int f = 0; f < e; f++) {
                expected[f * m + t] = u[f] / Math.sqrt(meanSquare + 1e-6);
            }
        }
        assertClose("transnormer", r.get("O"), expected);
    }

    @ParameterizedTest(name = "G={0} HG={1} N={2}")
    @CsvSource({"2, 2, 256, 32, 54", "4, 1, 512, 64, 55"})
    void sparseQueryAttention(int g, int hg, int n, int e, long seed) {
        Run r = run("sparse-query-attention", seed, "G", g, "HG", hg, "E", e, "F", e, "P", n, "M", n);
        float[] out = r.get("AV");
        int head = e * n;
        for (int gi = 0; gi < g; gi++) {
            for (int hi = 0; hi < hg; hi++) {
                int q = (gi * hg + hi) * head;
                double[] expected = Textbook.attention(r.get("Q"), q, r.get("K"), gi * head, r.get("V"), gi * head, e, e, n, n, null);
                assertClose("sqa head " + (gi * hg + hi), java.util.Arrays.copyOfRange(out, q, q + head), expected);
            }
        }
    }

    @ParameterizedTest(name = "M={0} J={1} W={2}")
    @CsvSource({"512, 16, 32, 32, 56", "2048, 64, 128, 64, 57"})
    void recycledAttention(int m, int j, int window, int e, long seed) {
        Run r = run("recycled-attention", seed, "E", e, "F", e, "M", m, "J", j, "W", window);
        double[] previous = new double[m];
        for (int mi = 0; mi < m; mi++) {
            previous[mi] = mi < m - window ? r.get("PREV")[mi] : Double.NEGATIVE_INFINITY;
        }
        List<Integer> keys = new ArrayList<>();
        for (int t : Textbook.topIndices(previous, j)) {
            keys.add(t);
        }
        for (int mi = m - window; mi < m; mi++) {
            keys.add(mi);
        }
        double[] expected = new double[e];
        attendInto(expected, 0, 1, r.get("Q"), 0, r.get("K"), 0, r.get("V"), 0, e, e, m, keys(keys));
        assertClose("recycled attention", r.get("AV"), expected);
    }

    @ParameterizedTest(name = "H={0} M={1}")
    @CsvSource({"2, 512, 32, 32, 60", "4, 1024, 64, 16, 61"})
    void razorAttention(int h, int m, int window, int e, long seed) {
        int sinks = 4;
        float[] retrieval = new float[h];
        retrieval[0] = 1; // head 0 retrieval, the rest compressed
        Run r = run("razor-attention", seed, Map.of("RET", retrieval), "H", h, "E", e, "F", e, "M", m, "S", sinks, "W", window);
        for (int hi = 0; hi < h; hi++) {
            int kOff = hi * e * m;
            List<double[]> keys = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            double[] meanK = new double[e];
            double[] meanV = new double[e];
            int dropped = m - sinks - window;
            for (int mi = 0; mi < m; mi++) {
                double[] k = new double[e];
                double[] v = new double[e];
                for (int x = 0; x < e; x++) {
                    k[x] = r.get("K")[kOff + x * m + mi];
                    v[x] = r.get("V")[kOff + x * m + mi];
                }
                if (retrieval[hi] != 0 || mi < sinks || mi >= m - window) {
                    keys.add(k);
                    values.add(v);
                } else {
                    for (int x = 0; x < e; x++) {
                        meanK[x] += k[x] / dropped;
                        meanV[x] += v[x] / dropped;
                    }
                }
            }
            if (retrieval[hi] == 0) {
                keys.add(meanK);
                values.add(meanV);
            }
            double[] q = new double[e];
            for (int x = 0; x < e; x++) {
                q[x] = r.get("Q")[hi * e + x];
            }
            double[] s = new double[keys.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = dot(q, keys.get(i)) / Math.sqrt(e);
            }
            double[] w = softmax(s);
            double[] expected = new double[e];
            for (int i = 0; i < s.length; i++) {
                for (int f = 0; f < e; f++) {
                    expected[f] += w[i] * values.get(i)[f];
                }
            }
            assertClose("razor head " + hi, java.util.Arrays.copyOfRange(r.get("AV"), hi * e, (hi + 1) * e), expected);
        }
    }

    @ParameterizedTest(name = "H={0} P={1} M={2} J={3}")
    @CsvSource({"2, 16, 512, 16, 32, 62", "3, 32, 1024, 64, 16, 63"})
    void snapKvObservationWindowVotes(int h, int p, int m, int j, int e, long seed) {
        int w = 7;
        int pad = 3;
        Run r = run("snapkv", seed, "H", h, "E", e, "F", e, "P", p, "M", m, "J", j, "W", w);
        for (int hi = 0; hi < h; hi++) {
            int kOff = hi * e * m;
            double[] votes = new double[m - p];
            for (int pi = 0; pi < p; pi++) {
                int last = pi + m - p;
                double[] s = new double[last + 1];
                for (int mi = 0; mi <= last; mi++) {
                    s[mi] = dot(r.get("QO"), hi * e * p, pi, p, r.get("K"), kOff, mi, m, e) / Math.sqrt(e);
                }
                double[] a = softmax(s);
                for (int mi = 0; mi < m - p; mi++) {
                    votes[mi] += a[mi];
                }
            }
            // Max pooling over W keys centred on each prefix key, the window cut at the prefix's ends.
            double[] pooled = new double[m - p];
            for (int mi = 0; mi < m - p; mi++) {
                pooled[mi] = Double.NEGATIVE_INFINITY;
                for (int k = Math.max(0, mi - pad); k <= Math.min(m - p - 1, mi - pad + w - 1); k++) {
                    pooled[mi] = Math.max(pooled[mi], votes[k]);
                }
            }
            Set<Integer> keys = new TreeSet<>();
            for (int t : Textbook.topIndices(pooled, j)) {
                keys.add(t);
            }
            for (int mi = m - p; mi < m; mi++) {
                keys.add(mi);
            }
            double[] expected = new double[e];
            attendInto(expected, 0, 1, r.get("Q"), hi * e, r.get("K"), kOff, r.get("V"), kOff, e, e, m, keys(new ArrayList<>(keys)));
            assertClose("snapkv head " + hi, java.util.Arrays.copyOfRange(r.get("AV"), hi * e, (hi + 1) * e), expected);
        }
    }

    @ParameterizedTest(name = "P={0} M={1} E={2}")
    @CsvSource({"48, 512, 32, 64", "128, 256, 64, 65", "64, 64, 16, 66"})
    void spattenProgressiveQuantisation(int p, int m, int e, long seed) {
        Cascade c = CascadeLibrary.load("spatten-progressive");
        Map<String, Long> sizes = c.sizes(Map.of("E", (long) e, "F", (long) e, "P", (long) p, "M", (long) m));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, seed);
        float[] quantised = new float[e * m];
        for (int i = 0; i < quantised.length; i++) {
            quantised[i] = (float) (Math.max(-128, Math.min(127, Math.rint(in.get("K")[i] / 0.25))) * 0.25);
        }
        double[] low = Textbook.attention(in.get("Q"), 0, quantised, 0, in.get("V"), 0, e, e, p, m, null);
        double[] full = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, p, m, null);
        double[][] probs = Textbook.probabilities(in.get("Q"), 0, quantised, 0, e, p, m);
        double[] top = new double[p];
        for (int pi = 0; pi < p; pi++) {
            for (int mi = 0; mi < m; mi++) {
                top[pi] = Math.max(top[pi], probs[mi][pi]);
            }
        }
        // Random scores are flatter than a trained model's: set the threshold between the queries' confidences.
        double[] sorted = top.clone();
        java.util.Arrays.sort(sorted);
        double threshold = (sorted[p / 2 - 1] + sorted[p / 2]) / 2;
        float[] out = EXECUTOR.run(c.withParameters(Map.of("THR", threshold)), sizes, in).outputs().get("AV");
        double[] expected = new double[e * p];
        int recomputed = 0;
        for (int pi = 0; pi < p; pi++) {
            boolean again = top[pi] < threshold;
            recomputed += again ? 1 : 0;
            for (int f = 0; f < e; f++) {
                expected[f * p + pi] = again ? full[f * p + pi] : low[f * p + pi];
            }
        }
        assertEquals(p / 2, recomputed, "half the queries recomputed");
        assertClose("spatten progressive", out, expected);
    }

    @Test
    void atLeastThirtyFiveEntriesNameTheirPaper() {
        long named = CascadeLibrary.names().stream().filter(n -> CascadeLibrary.load(n).paper() != null).count();
        assertTrue(CascadeLibrary.names().size() >= 40, CascadeLibrary.names().size() + " cascades");
        assertTrue(named >= 35, named + " cascades name their paper");
    }

    @Test
    void everyLibraryEntryHasATextbookTest() {
        Set<String> covered = new TreeSet<>(COVERED);
        covered.addAll(LibraryAgreesWithTextbookTest.COVERED);
        assertEquals(new TreeSet<>(CascadeLibrary.names()), covered, "a library cascade needs its textbook test");
    }
}
