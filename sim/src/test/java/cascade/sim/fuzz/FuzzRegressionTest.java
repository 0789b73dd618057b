package cascade.sim.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs fuzzing found (sim/src/test/resources/fuzz/, each framed for its reader as
 * {@link Readers#read} takes it): each was an exception other than a located input error, and
 * now must be refused with one or accepted. Then a short coverage-guided run of every reader.
 */
class FuzzRegressionTest {
    private static final Path HOME = Path.of("..");

    @Test
    void everyKeptFindingIsRefusedWithALocatedErrorOrAccepted() throws Exception {
        List<Path> inputs = FuzzRun.regressionInputs(HOME);
        assertFalse(inputs.isEmpty(), "the regression inputs are in sim/src/test/resources/fuzz");
        List<String> escaped = new ArrayList<>();
        for (Path p : inputs) {
            try {
                Readers.read(Files.readAllBytes(p));
            } catch (InvalidInputException refused) {
                assertTrue(refused.getMessage().matches("(?s)[^:\\n]+:\\d+:\\d+: .*"), p + ": " + refused.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                escaped.add(p.getFileName() + " (" + Readers.target(Files.readAllBytes(p)).keyword() + "): " + e);
            }
        }
        assertEquals(List.of(), escaped);
    }

    /** About a minute of fuzzing in ./test: every reader is reached and nothing but a located error escapes. */
    @Test
    void aShortRunOfEveryReaderFindsNothing(@TempDir Path work) throws Exception {
        FuzzRun.Result r = FuzzRun.run(HOME, work, 45, line -> { });
        assertEquals(List.of(), r.findings());
        assertTrue(r.executions() > 10_000, "executions: " + r.executions());
        r.perTarget().forEach((target, n) -> assertTrue(n > 0, target + " was never fuzzed"));
    }
}
