package cascade.einsum.exec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C[i,j] (+)= sum_k A[i,k] * B[k,j]} over float arrays with arbitrary strides, blocked
 * in the Goto/BLIS manner: B is packed into KC×NR strips, A into MR×KC strips, and an MR×NR
 * register tile (8 rows × 2 vectors) of C is accumulated with fused multiply-adds. Packing is what makes any
 * layout (Q[e,p], K[e,m], V[f,m], …) run at the same speed.
 */
final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 12 * MR;
    static final int NC = 1024;

    /** One thread's packing buffers for products of at most m×k by k×n, reused across calls. */
    static final class Scratch {
        final float[] a;
        final float[] b;
        final float[] tile = new float[MR * NR];

        Scratch(int m, int n, int k) {
            int kc = Math.max(1, Math.min(KC, k));
            a = new float[roundUp(Math.min(MC, m), MR) * kc];
            b = new float[roundUp(Math.min(NC, n), NR) * kc];
        }

        private static int roundUp(int x, int multiple) {
            return Math.max(1, (x + multiple - 1) / multiple) * multiple;
        }
    }

    record Operand(float[] data, int offset, long rowStride, long colStride) {
    }

    private Gemm() {
    }

    /**
     * Multiplies an m×k A by a k×n B into the m×n C. With {@code accumulate} C is added to;
     * otherwise it is overwritten.
     */
    static void multiply(int m, int n, int k, Operand a, Operand b, Operand c, boolean accumulate, Scratch s) {
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        c.data()[(int) (c.offset() + i * c.rowStride() + j * c.colStride())] = 0;
                    }
                }
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, pc, kc, jc, nc, s.b);
                boolean add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(a, ic, mc, pc, kc, s.a);
                    macro(mc, nc, kc, s, c, ic, jc, add);
                }
            }
        }
    }

    private static void packB(Operand b, int pc, int kc, int jc, int nc, float[] bp) {
        float[] d = b.data();
        int strips = (nc + NR - 1) / NR;
        for (int js = 0; js < strips; js++) {
            int j0 = jc + js * NR;
            int width = Math.min(NR, jc + nc - j0);
            int base = js * kc * NR;
            for (int p = 0; p < kc; p++) {
                long src = b.offset() + (pc + p) * b.rowStride() + j0 * b.colStride();
                int dst = base + p * NR;
                if (b.colStride() == 1 && width == NR) {
                    System.arraycopy(d, (int) src, bp, dst, NR);
                } else {
                    for (int jj = 0; jj < width; jj++) {
                        bp[dst + jj] = d[(int) (src + jj * b.colStride())];
                    }
                    for (int jj = width; jj < NR; jj++) {
                        bp[dst + jj] = 0;
                    }
                }
            }
        }
    }

    private static void packA(Operand a, int ic, int mc, int pc, int kc, float[] ap) {
        float[] d = a.data();
        int strips = (mc + MR - 1) / MR;
        for (int is = 0; is < strips; is++) {
            int i0 = ic + is * MR;
            int height = Math.min(MR, ic + mc - i0);
            int base = is * kc * MR;
            if (a.rowStride() == 1 && height == MR) {
                // Rows contiguous (K[e,m] read as A[m,e]): walk each k's MR consecutive floats, not a stride per read.
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(d, (int) (a.offset() + i0 + (pc + p) * a.colStride()), ap, base + p * MR, MR);
                }
                continue;
            }
            for (int ii = 0; ii < MR; ii++) {
                if (ii >= height) {
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + ii] = 0;
                    }
                    continue;
                }
                long src = a.offset() + (i0 + ii) * a.rowStride() + pc * a.colStride();
                for (int p = 0; p < kc; p++) {
                    ap[base + p * MR + ii] = d[(int) (src + p * a.colStride())];
                }
            }
        }
    }

    private static void macro(int mc, int nc, int kc, Scratch s, Operand c, int ic, int jc, boolean add) {
        int strips = (nc + NR - 1) / NR;
        int rows = (mc + MR - 1) / MR;
        for (int js = 0; js < strips; js++) {
            int j0 = jc + js * NR;
            int width = Math.min(NR, jc + nc - j0);
            for (int is = 0; is < rows; is++) {
                int i0 = ic + is * MR;
                int height = Math.min(MR, ic + mc - i0);
                if (width == NR && height == MR && c.colStride() == 1 && c.rowStride() <= Integer.MAX_VALUE) {
                    int cOff = (int) (c.offset() + i0 * c.rowStride() + j0);
                    micro(kc, s.a, is * kc * MR, s.b, js * kc * NR, c.data(), cOff, (int) c.rowStride(), add);
                } else {
                    micro(kc, s.a, is * kc * MR, s.b, js * kc * NR, s.tile, 0, NR, false);
                    for (int ii = 0; ii < height; ii++) {
                        for (int jj = 0; jj < width; jj++) {
                            int at = (int) (c.offset() + (i0 + ii) * c.rowStride() + (j0 + jj) * c.colStride());
                            float v = s.tile[ii * NR + jj];
                            c.data()[at] = add ? c.data()[at] + v : v;
                        }
                    }
                }
            }
        }
    }

    /** The 8×(2 vectors) register tile: 16 accumulators, two B loads and one broadcast per row per k. */
    private static void micro(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc,
                              boolean add) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        int a = aOff;
        int b = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x0 = FloatVector.broadcast(S, ap[a + 0]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(S, ap[a + 6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(S, ap[a + 7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
            a += MR;
            b += NR;
        }
        store(c00, c01, c, cOff, add);
        store(c10, c11, c, cOff + ldc, add);
        store(c20, c21, c, cOff + 2 * ldc, add);
        store(c30, c31, c, cOff + 3 * ldc, add);
        store(c40, c41, c, cOff + 4 * ldc, add);
        store(c50, c51, c, cOff + 5 * ldc, add);
        store(c60, c61, c, cOff + 6 * ldc, add);
        store(c70, c71, c, cOff + 7 * ldc, add);
    }

    private static void store(FloatVector lo, FloatVector hi, float[] c, int off, boolean add) {
        if (add) {
            lo = lo.add(FloatVector.fromArray(S, c, off));
            hi = hi.add(FloatVector.fromArray(S, c, off + L));
        }
        lo.intoArray(c, off);
        hi.intoArray(c, off + L);
    }
}
