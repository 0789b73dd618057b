package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.einsum.Resources;
import cascade.hw.ArchitectureLoader;
import cascade.mappings.spec.Design;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, acceptance 2: reports name units by role, never by name. A copy of the fusemax
 * preset's architecture and design, made here from the presets' own text with the arrays renamed
 * MATRIX and VECTOR and the design naming its architecture by a path relative to itself, reports
 * exactly what fusemax does in {@code estimate} and {@code sim}, once the names are mapped back.
 */
class RenamedUnitsTest {
    @ParameterizedTest
    @ValueSource(strings = {"estimate", "sim"})
    void renamedArraysReportTheSameNumbers(String command, @TempDir Path dir) throws IOException {
        String arch = Resources.read(ArchitectureLoader.class, "/architectures/fusemax.yaml");
        String design = Resources.read(Design.class, "/designs/fusemax.yaml");
        Files.createDirectories(dir.resolve("archs"));
        Files.writeString(dir.resolve("archs/renamed.yaml"), renamed(arch));
        Files.writeString(dir.resolve("renamed-design.yaml"),
            renamed(design).replace("architecture: fusemax", "architecture: archs/renamed.yaml"));

        String preset = Cli.ok(command, "--design", "fusemax", "--workload", "bert", "--seq", "16384", "--format", "json");
        String copy = Cli.ok(command, "--design", dir.resolve("renamed-design.yaml").toString(), "--workload", "bert",
            "--seq", "16384", "--format", "json");
        String back = copy.replaceAll("\"MATRIX\"", "\"PE2D\"").replaceAll("\"VECTOR\"", "\"PE1D\"");
        ObjectMapper json = new ObjectMapper();
        var expected = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(preset);
        var actual = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(back);
        expected.remove("wallSeconds");
        actual.remove("wallSeconds");
        assertEquals(expected, actual);
    }

    /** The 2D and 1D arrays renamed wherever they are named as units (their register files keep their names). */
    private static String renamed(String yaml) {
        return yaml.replaceAll("\\bPE2D\\b", "MATRIX").replaceAll("\\bPE1D\\b", "VECTOR");
    }
}
