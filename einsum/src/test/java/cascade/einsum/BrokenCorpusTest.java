package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code broken/} starts with {@code # expect: LINE:COL: text}: the first
 * problem reported must be at that line and column and contain that text. Parsing, validation
 * and binding the file's own sizes must end in an {@link InvalidInputException}, never another exception.
 */
class BrokenCorpusTest {
    static Stream<Path> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(BrokenCorpusTest.class.getResource("/broken").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cas")).sorted().toList().stream();
        }
    }

    static Diagnostic firstProblem(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            Cascade c = Cascade.parse(file.getFileName().toString(), text);
            c.sizes(Map.of());
            StepPlan.of(c);
        } catch (InvalidInputException e) {
            return e.diagnostics().getFirst();
        }
        return fail(file.getFileName() + " was accepted");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void reportsTheExpectedProblemAtTheExpectedPlace(Path file) throws IOException {
        String header = Files.readAllLines(file).getFirst();
        assertTrue(header.startsWith("# expect: "), "missing expectation header");
        String[] parts = header.substring("# expect: ".length()).split(":", 3);
        Diagnostic d = firstProblem(file);
        assertEquals(file.getFileName().toString(), d.pos().file());
        assertEquals(Integer.parseInt(parts[0]), d.pos().line(), "line of: " + d);
        assertEquals(Integer.parseInt(parts[1]), d.pos().col(), "column of: " + d);
        assertTrue(d.message().contains(parts[2].strip()), "message '" + d.message() + "' lacks '" + parts[2].strip() + "'");
    }

    @Test
    void corpusHasAtLeastFortyCasesEachWithItsOwnMessage() throws Exception {
        List<Path> files = corpus().toList();
        assertTrue(files.size() >= 40, "only " + files.size() + " broken cascades");
        Map<String, Path> seen = new HashMap<>();
        for (Path f : files) {
            Path other = seen.put(firstProblem(f).message(), f);
            assertTrue(other == null, f.getFileName() + " and " + other + " share a message");
        }
    }
}
