package cascade.einsum.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The effectual counts of {@code analyze} against an enumeration of every (query, key) pair: the
 * 1-pass cascade in chunks of 16 with its scores masked four ways. A masked score is -inf, so its
 * exponential is 0 and every point downstream that reads it (the chunk maximum, the exponential, its
 * sum and its product with V) is ineffectual; the recurrences count in full.
 */
class EffectualTest {
    private static final long E = 3;
    private static final long F = 2;

    private static Cascade masked(String mask) {
        String text = CascadeLibrary.source("attention-1pass").replace("M0 = 256", "M0 = 16")
            .replace("K[e,m1,m0]\n", "K[e,m1,m0]   where " + mask + " else -inf\n");
        assertTrue(text.contains("where"), "the QK line of attention-1pass moved");
        return Cascade.parse("masked.cas", text);
    }

    private static void check(String mask, long queries, long keys, BiPredicate<Long, Long> keepsKeyForQuery) {
        Cascade c = masked(mask);
        long pairs = 0;
        for (long p = 0; p < queries; p++) {
            for (long m = 0; m < keys; m++) {
                if (keepsKeyForQuery.test(m, p)) {
                    pairs++;
                }
            }
        }
        Map<String, Long> sizes = c.sizes(Map.of("P", queries, "M", keys, "E", E, "F", F));
        Map<String, Long> effectual = OpCounts.perEinsum(c, sizes).stream()
            .collect(Collectors.toMap(OpCounts.EinsumOps::output, OpCounts.EinsumOps::effectual));
        Map<String, Long> dense = OpCounts.perEinsum(c, sizes).stream()
            .collect(Collectors.toMap(OpCounts.EinsumOps::output, OpCounts.EinsumOps::points));
        assertEquals(pairs * E, effectual.get("QK"), mask + ": QK");
        assertEquals(pairs, effectual.get("LM"), mask + ": LM");
        assertEquals(pairs, effectual.get("SLN"), mask + ": SLN");
        assertEquals(pairs, effectual.get("SLD"), mask + ": SLD");
        assertEquals(pairs * F, effectual.get("SLNV"), mask + ": SLNV");
        long chunks = keys / 16;
        assertEquals(chunks * queries, effectual.get("RM"), "a recurrence step is counted whole");
        assertEquals(keys * queries * F, dense.get("SLNV"), "the dense count stays beside the effectual one");
    }

    @Test
    void causal() {
        check("m <= p + M - P", 96, 96, (m, p) -> m <= p);
        check("m <= p + M - P", 40, 96, (m, p) -> m <= p + 96 - 40); // chunked prefill: the queries are the last 40
    }

    @Test
    void slidingWindow() {
        check("m <= p + M - P and p + M - P - m < 40", 96, 96, (m, p) -> m <= p && p - m < 40);
    }

    @Test
    void sinksAndWindow() {
        check("m <= p + M - P and (m < 4 or p + M - P - m < 40)", 96, 96, (m, p) -> m <= p && (m < 4 || p - m < 40));
    }

    @Test
    void blockSparse() {
        // A global first block, and each query's own block of keys and the one before it.
        check("m1 == 0 or (p - 16*m1 >= 0 and p - 16*m1 < 32)", 96, 96,
            (m, p) -> m / 16 == 0 || (p - 16 * (m / 16) >= 0 && p - 16 * (m / 16) < 32));
    }

    @Test
    void denseAttentionIsAllEffectual() {
        Cascade c = CascadeLibrary.load("attention-1pass");
        Map<String, Long> sizes = c.sizes(Map.of("P", 4L, "M", 512L, "E", E, "F", F));
        for (OpCounts.EinsumOps e : OpCounts.perEinsum(c, sizes)) {
            assertEquals(e.points(), e.effectual(), e.output());
        }
    }
}
