package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Sizes as the papers write them: powers of two behind K, M and G. */
class CountTest {
    @Test
    void suffixesArePowersOfTwo() {
        assertEquals(1024, Count.parse("1K"));
        assertEquals(65536, Count.parse("64K"));
        assertEquals(65536, Count.parse("64k"));
        assertEquals(1048576, Count.parse("1M"));
        assertEquals(1L << 31, Count.parse("2G"));
        assertEquals(4096, Count.parse(" 4096 "));
    }

    @Test
    void formatIsTheInverseWhereExact() {
        for (long n : new long[] {1024, 65536, 1048576, 3 << 20, 1000, 1}) {
            assertEquals(n, Count.parse(Count.format(n)));
        }
        assertEquals("64K", Count.format(65536));
        assertEquals("1000", Count.format(1000));
    }

    @Test
    void whatIsNotASizeSaysWhatWasExpected() {
        for (String bad : new String[] {"", "K", "1.5K", "1KB", "-4", "ten", "9999999999G"}) {
            NumberFormatException e = assertThrows(NumberFormatException.class, () -> Count.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected a whole number") || e.getMessage().contains("too large"),
                e.getMessage());
        }
        assertThrows(NumberFormatException.class, () -> Count.parseInt("4G"));
    }
}
