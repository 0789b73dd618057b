package cascade.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTraceTest {
    static final String GOOD = "arrival_s,prompt_tokens,output_tokens\n0.0,100,10\n0.5,200,20\n0.5,50,5\n";

    @Test
    void readsWritesAndGenerates(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.csv");
        Files.writeString(f, GOOD);
        RequestTrace t = RequestTrace.read(f);
        assertEquals(3, t.requests().size());
        assertEquals(new RequestTrace.Request(1, 0.5, 200, 20), t.requests().get(1));
        RequestTrace g = RequestTrace.generate(5000, 20, 1, 1000, 100, 0.5, 8192, 3);
        Path h = dir.resolve("g.csv");
        g.write(h);
        RequestTrace back = RequestTrace.read(h);
        assertEquals(5000, back.requests().size());
        double span = back.requests().getLast().arrivalSeconds();
        assertEquals(5000 / 20.0, span, 20, "Poisson at 20 a second");
        double meanPrompt = back.requests().stream().mapToInt(RequestTrace.Request::promptTokens).average().orElse(0);
        assertEquals(1000, meanPrompt, 40);
        // Burstier arrivals (cv 3) have a larger spread of gaps than Poisson.
        RequestTrace bursty = RequestTrace.generate(5000, 20, 3, 1000, 100, 0.5, 8192, 3);
        assertTrue(cv(bursty) > 2 * cv(g), cv(bursty) + " vs " + cv(g));
    }

    static double cv(RequestTrace t) {
        var r = t.requests();
        double[] gaps = new double[r.size() - 1];
        for (int i = 1; i < r.size(); i++) {
            gaps[i - 1] = r.get(i).arrivalSeconds() - r.get(i - 1).arrivalSeconds();
        }
        double mean = java.util.Arrays.stream(gaps).average().orElse(0);
        double var = java.util.Arrays.stream(gaps).map(x -> (x - mean) * (x - mean)).average().orElse(0);
        return Math.sqrt(var) / mean;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'0.5,200,20'|'0.5,-200,20'|3:5|prompt_tokens must be a whole number of at least 1",
        "'0.5,200,20'|'0.5,200,0'|3:9|output_tokens must be a whole number of at least 1",
        "'0.5,50,5'|'0.25,50,5'|4:1|arrivals must be in order",
        "'0.5,200,20'|'0.5,200'|3:1|expected 3 columns",
        "'0.5,200,20'|'soon,200,20'|3:1|arrival_s is not a number",
        "'0.0,100,10'|'-1,100,10'|2:1|arrival_s must not be negative",
        "'arrival_s,prompt_tokens,output_tokens'|'arrival,prompt'|1:1|starts with the header",
    })
    void badTracesNameTheLine(String from, String to, String at, String message, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.csv");
        Files.writeString(f, GOOD.replace(from, to));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RequestTrace.read(f));
        assertTrue(e.getMessage().startsWith(f + ":" + at + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
