package cascade.traces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreTraceTest {
    @Test
    void rowsRoundTripAndStream(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.scores");
        List<ScoreTrace.Row> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float[] p = new float[3 + i];
            for (int j = 0; j < p.length; j++) {
                p[j] = (j + 1f) / (i + 7f);
            }
            rows.add(new ScoreTrace.Row(i / 2, i % 2, i, p));
        }
        ScoreTrace.write(f, rows);
        assertEquals(8 + 4L * (3 + 4 + 5 + 6 + 7), Files.size(f));
        assertEquals("step,layer,head,length,offset", Files.readAllLines(ScoreTrace.indexOf(f)).getFirst());
        ScoreTrace.Reader reader = new ScoreTrace.Reader(f);
        assertEquals(5, reader.rows());
        int i = 0;
        for (ScoreTrace.Row r : reader) {
            ScoreTrace.Row w = rows.get(i++);
            assertEquals(w.step(), r.step());
            assertEquals(w.layer(), r.layer());
            assertEquals(w.head(), r.head());
            assertArrayEquals(w.probabilities(), r.probabilities());
        }
        assertEquals(5, i);
    }

    @Test
    void brokenTracesAreLocated(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.scores");
        ScoreTrace.write(f, List.of(new ScoreTrace.Row(0, 0, 0, new float[] {0.5f, 0.5f}),
            new ScoreTrace.Row(0, 0, 1, new float[] {1f})));
        Path idx = ScoreTrace.indexOf(f);
        String good = Files.readString(idx);
        Files.writeString(idx, good.replace("0,0,1,1,16", "0,0,1,1,20"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ScoreTrace.Reader(f));
        assertTrue(e.getMessage().startsWith(idx + ":3:1: offset 20 should be 16"), e.getMessage());
        Files.writeString(idx, good.replace("0,0,1,1,16", "0,0,x,1,16"));
        e = assertThrows(InvalidInputException.class, () -> new ScoreTrace.Reader(f));
        assertTrue(e.getMessage().startsWith(idx + ":3:1: fields must be whole numbers"), e.getMessage());
        Files.writeString(idx, good.replace("0,0,1,1,16", "0,0,1,2,16"));
        e = assertThrows(InvalidInputException.class, () -> new ScoreTrace.Reader(f));
        assertTrue(e.getMessage().contains("the binary file has 20 bytes; its index describes 24"), e.getMessage());
        Files.delete(idx);
        e = assertThrows(InvalidInputException.class, () -> new ScoreTrace.Reader(f));
        assertTrue(e.getMessage().contains("one is missing"), e.getMessage());
    }

    /** The generator's structure shows: sinks and the newest tokens draw attention, heads differ, seeds reproduce. */
    @Test
    void syntheticAttentionHasItsStructure() {
        SyntheticAttention a = SyntheticAttention.defaults(2, 8, 64, 2048, 3);
        double sinks = 0;
        double recent = 0;
        double middle = 0;
        double maxLow = 1;
        double maxHigh = 0;
        for (int h = 0; h < 8; h++) {
            SyntheticAttention.Head head = a.head(1, h);
            double[] p = SyntheticAttention.probabilities(head.q(), head.k(), 2048, null);
            double m = 0;
            for (int j = 0; j < 2048; j++) {
                m = Math.max(m, p[j]);
                if (j < 4) {
                    sinks += p[j] / 4;
                } else if (j >= 2044) {
                    recent += p[j] / 4;
                } else if (j >= 1000 && j < 1200) {
                    middle += p[j] / 200;
                }
            }
            maxLow = Math.min(maxLow, m);
            maxHigh = Math.max(maxHigh, m);
        }
        assertTrue(sinks > 5 * middle && recent > 5 * middle, sinks + " " + recent + " " + middle);
        assertTrue(maxHigh > 3 * maxLow, "heads differ in sharpness: " + maxLow + ".." + maxHigh);
        assertArrayEquals(a.head(1, 2).k(), SyntheticAttention.defaults(2, 8, 64, 2048, 3).head(1, 2).k());
    }
}
