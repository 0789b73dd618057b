package cascade.hw;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A top-k engine's behaviour and timing: which k of n scores it selects (exactly the k largest;
 * ties broken towards the lower index) and how many cycles that takes on the given data.
 *
 * <p>{@link QuickSelect} is SpAtten's engine (HPCA 2021; the release's {@code TopKLatencyModel}):
 * rounds of quick-select, each partitioning the candidates left around a pivot with
 * {@code parallelism} comparators, costing ceil(n / parallelism) + {@code roundOverhead} cycles,
 * until the k-th largest is pinned down. Its time depends on the data and the pivots.
 * {@link Bitonic} is the alternative: a bitonic sorter of {@code width} lanes streaming the
 * candidates and merging each sorted chunk into a running top-{@code width}; its time depends
 * only on n and k.
 */
public sealed interface TopKEngine permits TopKEngine.QuickSelect, TopKEngine.Bitonic {
    /** The selected indices (ascending), the cycles taken, the rounds (passes) and the comparisons made. */
    record Selection(int[] indices, long cycles, int rounds, long comparisons) {
    }

    /**
     * Selects the {@code k} largest of {@code scores[0, n)}.
     *
     * @throws IllegalArgumentException for a NaN score or k outside [0, n]
     */
    Selection select(float[] scores, int n, int k);

    /**
     * How a quick-select round picks its pivot among the candidates left: at random (the seed's
     * SplittableRandom), the first, or by a 16-bit Galois LFSR (taps 0xB400, seeded with the low 16
     * bits of the seed, 1 if they are 0), candidate (lfsr · left) / 2^16, the LFSR stepping once a
     * round: the rule the RTL quick-select engine implements.
     */
    enum Pivot { RANDOM, FIRST, LFSR }

    /** The LFSR's state after one step. */
    static int lfsrStep(int state) {
        int lsb = state & 1;
        state >>>= 1;
        return lsb == 1 ? state ^ 0xB400 : state;
    }

    /** The LFSR's first state for a seed. */
    static int lfsrSeed(long seed) {
        int s = (int) (seed & 0xFFFF);
        return s == 0 ? 1 : s;
    }

    /** SpAtten's quick-select engine; {@code seed} makes its random pivots reproducible. */
    record QuickSelect(int parallelism, int roundOverhead, Pivot pivot, long seed) implements TopKEngine {
        public QuickSelect {
            if (parallelism < 1 || roundOverhead < 0) {
                throw new IllegalArgumentException("quick-select needs parallelism >= 1 and a round overhead >= 0");
            }
        }

        @Override
        public Selection select(float[] scores, int n, int k) {
            check(scores, n, k);
            int[] cand = new int[n];
            for (int i = 0; i < n; i++) {
                cand[i] = i;
            }
            int[] chosen = new int[k];
            int nChosen = 0;
            int left = n;
            int need = k;
            long cycles = 0;
            long comparisons = 0;
            int rounds = 0;
            SplittableRandom random = new SplittableRandom(seed);
            int lfsr = lfsrSeed(seed);
            int[] greater = new int[n];
            int[] equal = new int[n];
            int[] less = new int[n];
            while (need > 0) {
                if (need == left) { // everything left is in: no round needed
                    System.arraycopy(cand, 0, chosen, nChosen, left);
                    nChosen += left;
                    break;
                }
                rounds++;
                cycles += (left + parallelism - 1) / parallelism + roundOverhead;
                comparisons += left;
                int at = switch (pivot) {
                    case FIRST -> 0;
                    case RANDOM -> random.nextInt(left);
                    case LFSR -> (int) (((long) lfsr * left) >>> 16);
                };
                lfsr = lfsrStep(lfsr);
                float p = scores[cand[at]];
                int g = 0;
                int e = 0;
                int l = 0;
                for (int i = 0; i < left; i++) {
                    int c = cand[i];
                    float s = scores[c];
                    if (s > p) {
                        greater[g++] = c;
                    } else if (s == p) {
                        equal[e++] = c;
                    } else {
                        less[l++] = c;
                    }
                }
                if (g >= need) {
                    System.arraycopy(greater, 0, cand, 0, g);
                    left = g;
                } else if (g + e >= need) {
                    System.arraycopy(greater, 0, chosen, nChosen, g);
                    nChosen += g;
                    Arrays.sort(equal, 0, e); // ties: the lower indices
                    System.arraycopy(equal, 0, chosen, nChosen, need - g);
                    nChosen += need - g;
                    need = 0;
                } else {
                    System.arraycopy(greater, 0, chosen, nChosen, g);
                    System.arraycopy(equal, 0, chosen, nChosen + g, e);
                    nChosen += g + e;
                    need -= g + e;
                    System.arraycopy(less, 0, cand, 0, l);
                    left = l;
                }
            }
            int[] out = Arrays.copyOf(chosen, k);
            Arrays.sort(out);
            return new Selection(out, cycles, rounds, comparisons);
        }
    }

    /**
     * A bitonic top-k: chunks of {@code width} candidates enter a pipelined bitonic sorter one
     * per cycle and merge into a running top-{@code width}; k beyond the width takes
     * ceil(k / width) passes. Cycles: passes · ceil(n / width) + the sorter's and merger's depth.
     */
    record Bitonic(int width) implements TopKEngine {
        public Bitonic {
            if (width < 2 || Integer.bitCount(width) != 1) {
                throw new IllegalArgumentException("a bitonic engine's width is a power of two, at least 2");
            }
        }

        /** Compare-exchange stages of the sorter (log w (log w + 1) / 2) and of the merge (log 2w). */
        public int depth() {
            int lg = Integer.numberOfTrailingZeros(width);
            return lg * (lg + 1) / 2 + lg + 1;
        }

        /** Which k it picks does not depend on how: the same exact selection as quick-select's. */
        private static final QuickSelect SELECTOR = new QuickSelect(1, 0, Pivot.RANDOM, 1);

        @Override
        public Selection select(float[] scores, int n, int k) {
            int[] out = SELECTOR.select(scores, n, k).indices();
            int passes = Math.max(1, (k + width - 1) / width);
            long chunks = (n + width - 1) / width;
            long cycles = k == 0 ? 0 : passes * chunks + depth();
            long comparisons = k == 0 ? 0 : passes * chunks * (width / 2) * depth();
            return new Selection(out, cycles, passes, comparisons);
        }
    }

    private static void check(float[] scores, int n, int k) {
        if (n < 0 || n > scores.length || k < 0 || k > n) {
            throw new IllegalArgumentException("cannot select " + k + " of " + n + " scores");
        }
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN: a top-k of NaN is undefined");
            }
        }
    }
}
