package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKEngineTest {
    static final TopKEngine[] ENGINES = {
        new TopKEngine.QuickSelect(16, 3, TopKEngine.Pivot.RANDOM, 7),
        new TopKEngine.QuickSelect(4, 0, TopKEngine.Pivot.FIRST, 1),
        new TopKEngine.Bitonic(16),
    };

    /** The reference: sort indices by score descending, ties by index, take k, ascending. */
    static int[] reference(float[] s, int k) {
        return IntStream.range(0, s.length).boxed()
            .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparing(i -> i))
            .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    static void agree(float[] s, int k) {
        for (TopKEngine e : ENGINES) {
            TopKEngine.Selection a = e.select(s, s.length, k);
            assertArrayEquals(reference(s, k), a.indices(), e + " on " + Arrays.toString(s) + ", k=" + k);
            TopKEngine.Selection b = e.select(s, s.length, k);
            assertEquals(a.cycles(), b.cycles(), "the same input takes the same cycles");
        }
    }

    @Test
    void selectsExactlyTheTopKOnRandomAndAdversarialInputs() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + r.nextInt(300);
            float[] s = new float[n];
            int distinct = 1 + r.nextInt(n + 1);
            for (int i = 0; i < n; i++) {
                s[i] = trial % 3 == 0 ? r.nextInt(distinct) : (float) r.nextGaussian(); // many ties every third trial
            }
            agree(s, r.nextInt(n + 1));
        }
        float[] equal = new float[50];
        Arrays.fill(equal, 2.5f);
        float[] sorted = new float[50];
        float[] reversed = new float[50];
        for (int i = 0; i < 50; i++) {
            sorted[i] = i;
            reversed[i] = 50 - i;
        }
        for (int k : new int[] {0, 1, 7, 49, 50}) {
            agree(equal, k);
            agree(sorted, k);
            agree(reversed, k);
        }
        agree(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, -0f}, 2);
    }

    @Test
    void nanAndBadKAreRejected() {
        for (TopKEngine e : ENGINES) {
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> e.select(new float[] {1, Float.NaN, 3}, 3, 1));
            assertTrue(nan.getMessage().contains("score 1 is NaN"), nan.getMessage());
            assertThrows(IllegalArgumentException.class, () -> e.select(new float[] {1, 2}, 2, 3));
        }
    }

    /**
     * By hand, scores [5, 1, 9, 3, 7, 2, 8, 6], k = 3, 4 comparators, 3 cycles a round, the first
     * candidate as pivot. Round 1: 8 left, ceil(8/4)+3 = 5 cycles; pivot 5: {9, 7, 8, 6} above it,
     * 4 >= 3, keep those. Round 2: 4 left, 1+3 = 4; pivot 9: none above, 9 equal: take 9, 2 more
     * needed from {7, 8, 6}. Round 3: 3 left, 1+3 = 4; pivot 7: {8} above, 7 equal: done. 13 cycles,
     * 3 rounds, 15 comparisons; indices {2, 4, 6}. SpAtten's release charges the same per round.
     */
    @Test
    void quickSelectCyclesByHand() {
        float[] s = {5, 1, 9, 3, 7, 2, 8, 6};
        TopKEngine.Selection q = new TopKEngine.QuickSelect(4, 3, TopKEngine.Pivot.FIRST, 1).select(s, 8, 3);
        assertArrayEquals(new int[] {2, 4, 6}, q.indices());
        assertEquals(13, q.cycles());
        assertEquals(3, q.rounds());
        assertEquals(15, q.comparisons());
        // Bitonic, 4 lanes: 2 chunks, depth 2·3/2 + 2 + 1 = 6: 8 cycles whatever the data.
        TopKEngine.Selection b = new TopKEngine.Bitonic(4).select(s, 8, 3);
        assertArrayEquals(new int[] {2, 4, 6}, b.indices());
        assertEquals(8, b.cycles());
    }

    /** Each round of the release's model costs ceil(n/16)+3 for the n candidates it starts with. */
    @Test
    void quickSelectRoundsFollowTheReleasesModel() {
        SplittableRandom r = new SplittableRandom(11);
        float[] s = new float[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) r.nextDouble();
        }
        TopKEngine.QuickSelect engine = new TopKEngine.QuickSelect(16, 3, TopKEngine.Pivot.RANDOM, 5);
        TopKEngine.Selection sel = engine.select(s, 1000, 100);
        // Lower bound: the first round sees all 1000 candidates; every round costs at least 3 + 1.
        assertTrue(sel.cycles() >= 1000 / 16 + 3 + 4L * (sel.rounds() - 1), sel.toString());
        assertTrue(sel.cycles() <= (long) sel.rounds() * (1000 / 16 + 1 + 3), sel.toString());
    }

    /** The LFSR pivot (the RTL engine's rule) selects exactly what the random one does; only the rounds differ. */
    @Test
    void theLfsrPivotSelectsTheSameKLargest() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(64);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(trial % 2 == 0 ? 4 : 1000);
            }
            int k = r.nextInt(n + 1);
            TopKEngine.Selection a = new TopKEngine.QuickSelect(4, 3, TopKEngine.Pivot.LFSR, trial).select(s, n, k);
            TopKEngine.Selection b = new TopKEngine.QuickSelect(4, 3, TopKEngine.Pivot.RANDOM, trial).select(s, n, k);
            org.junit.jupiter.api.Assertions.assertArrayEquals(b.indices(), a.indices(), "n " + n + " k " + k);
        }
    }
}
