package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14, acceptance 4: broken Timeloop files are refused at their line (and, where it is the
 * point, column), naming the Timeloop key, before anything is costed. Each case breaks one of
 * exercise 01's four files (architecture, problem, output-stationary mapping, ERT) by one edit.
 */
class TimeloopBrokenInputsTest {
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        // architecture
        "arch|'version: 0.4'|'version: 0.3'|2:12|Cascade reads Timeloop v0.4",
        "arch|'  - !Container'|'  - !Box'|4:5|unknown node class '!Box'",
        "arch|'class: SRAM'|'class: FLASH'|12:12|unknown class 'FLASH'",
        "arch|'      depth: 32768'|'      depht: 32768'|14:7|unknown attribute 'depht' of MainMemory",
        "arch|'      depth: 64'|'      depth: -64'|22:14|depth must be positive",
        "arch|'      depth: 64'|'      depth: many'|22:14|depth must be a whole number",
        "arch|'      width: 8\n      datawidth: 8\n\n  - !Component\n    name: MACC'|'      width: 12\n      datawidth: 8\n\n  - !Component\n    name: MACC'|23:14|not a whole number of 8-bit words",
        "arch|'    name: Buffer'|'    name: MainMemory'|19:11|two nodes named MainMemory",
        "arch|'class: intmac'|'class: regfile'|26:5|MACC (regfile) has no depth",
        "arch|'      global_cycle_seconds: 1e-9'|'      global_cycle_seconds: soon'|8:29|global_cycle_seconds must be a number",
        "arch|'      technology: \"40nm\"'|'      technology: \"forty\"'|7:19|technology must be like 40nm",
        "arch|'  nodes:'|'  nodez:'|3:3|unknown key 'nodez'",
        "arch|'    name: Buffer\n'|'    name: Buffer\n    sparse_optimizations: {}\n'|20:5|sparse_optimizations are not read",
        "arch|'      depth: 64'|'      depth: 64\n      multiple_buffering: 0.5'|23:27|multiple_buffering must be at least 1",
        "arch|'      depth: 64'|'      depth: 64\n      allow_overbooking: maybe'|23:26|allow_overbooking is true or false",
        // problem
        "prob|'dimensions: [ R, P ]'|'dimensions: [ R, R ]'|5:22|dimension R is listed twice",
        "prob|'      - [ [R] ]'|'      - [ [Q] ]'|9:12|'Q' is not a dimension of Conv1D",
        "prob|'    P: 16'|'    Q: 16'|19:5|the instance gives no size for dimension P",
        "prob|'    R: 3\n'|''|19:5|the instance gives no size for dimension R",
        "prob|'      read_write: True'|'      read_write: False'|7:5|no data space is read_write",
        "prob|'- name: Weights'|'- nome: Weights'|7:7|unknown key 'nome'",
        "prob|'    P: 16'|'    P: 0'|20:8|the size of P must be positive",
        "prob|'      - [ [R], [P] ]'|'      - [ [R], [P, Pstride] ]'|12:20|'Pstride' is not a coefficient of Conv1D",
        "prob|'problem:'|'problem: ['|3:8|YAML syntax",
        // mapping
        "map|'factors: R=1 P=16'|'factors: R=1 P=8'|2:3|the factors of P multiply to 8, but the problem's P is 16",
        "map|'target: Buffer'|'target: Cache'|7:13|no storage level 'Cache'",
        "map|'factors: R=3 P=1'|'factors: R=3 Q=1'|9:14|factor 'Q=1': expected DIM=N",
        "map|'factors: R=3 P=1'|'factors: R=three P=1'|9:14|is not a whole number",
        "map|'factors: R=3 P=1'|'factors: R=0 P=1'|9:14|must be at least 1",
        "map|'permutation: RP'|'permutation: RX'|10:18|permutation names 'X'",
        "map|'permutation: PR'|'permutation: R'|5:18|the permutation leaves out P",
        "map|'    type: temporal\n    factors: R=3'|'    type: sideways\n    factors: R=3'|8:11|unknown directive type 'sideways'",
        "map|'  - target: Buffer\n    type: temporal'|'  - target: Buffer\n    type: spatial'|9:14|the spatial factors spread over 3 instances, but below each Buffer there are 1",
        "map|'  - target: Buffer\n    type: temporal'|'  - target: Attic\n    type: spatial'|7:13|no spatial container or storage level 'Attic'",
        "map|'mapping:'|'mappings:'|1:1|unknown key 'mappings'",
        // energy reference table
        "ert|'PE_top_level.MainMemory[1..1]'|'PE_top_level.Attic[1..1]'|4:15|no component 'Attic' in the architecture",
        "ert|'energy: 30.878292'|'energy: -1'|10:21|energy must be a non-negative number",
        "ert|'          - name: update'|'          - name: erase'|6:19|unknown action 'erase'",
        "ert|'energy: 30.878292\n          - name: read'|'energy: 31\n          - name: read'|4:15|Cascade prices an update as a write",
    })
    void brokenFilesAreLocated(String which, String from, String to, String at, String message) throws IOException {
        Path dir = TimeloopExercisesTest.exercises().resolve("01-model-conv1d-2level");
        String arch = Files.readString(dir.resolve("arch/2level.arch.yaml"));
        String prob = Files.readString(dir.resolve("prob/conv1d.prob.yaml"));
        String map = Files.readString(dir.resolve("map/conv1d-2level-os.map.yaml"));
        String ert = Files.readString(dir.resolve("ref-output/os/timeloop-model.ERT.yaml"));
        String target = switch (which) {
            case "arch" -> arch;
            case "prob" -> prob;
            case "map" -> map;
            default -> ert;
        };
        String broken = edited(target, from, to, which);
        String a = which.equals("arch") ? broken : arch;
        String p = which.equals("prob") ? broken : prob;
        String m = which.equals("map") ? broken : map;
        String e = which.equals("ert") ? broken : ert;
        InvalidInputException x = assertThrows(InvalidInputException.class,
            () -> TimeloopReader.parse("arch.yaml", a, "prob.yaml", p, "map.yaml", m, "ert.yaml", e));
        String file = switch (which) {
            case "arch" -> "arch.yaml";
            case "prob" -> "prob.yaml";
            case "map" -> "map.yaml";
            default -> "ert.yaml";
        };
        assertLocated(x, file, at, message);
    }

    /** A case's one edit of a file's text ({@code \n} in the case is a newline); the text must hold what it replaces. */
    static String edited(String text, String from, String to, String which) {
        String f = from.replace("\\n", "\n");
        assertTrue(text.contains(f), "the case's text is not in the " + which + " file: " + from);
        return text.replace(f, to.replace("\\n", "\n"));
    }

    /** The error is reported at {@code file:at:} and says {@code message}. */
    static void assertLocated(InvalidInputException x, String file, String at, String message) {
        String shown = x.getMessage();
        assertTrue(shown.startsWith(file + ":" + at + ":"), "expected " + file + ":" + at + ", got: " + shown);
        assertTrue(shown.contains(message), shown);
    }

    @org.junit.jupiter.api.Test
    void spatialFactorsBeyondTheMeshAreRefused() throws IOException {
        Path dir = TimeloopExercisesTest.exercises().resolve("04-model-conv1d+oc-3levelspatial");
        String map = Files.readString(dir.resolve("map/conv1d+oc+ic-3levelspatial-cp-ws.map.yaml"));
        assertTrue(map.contains("factors: R=1 P=1 K=1 C=16"));
        String broken = map.replace("factors: R=1 P=1 K=1 C=16", "factors: R=1 P=1 K=2 C=16");
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> TimeloopReader.parse("arch.yaml",
            Files.readString(dir.resolve("arch/3levelspatial.arch.yaml")), "prob.yaml",
            Files.readString(dir.resolve("prob/conv1d+oc+ic.prob.yaml")), "map.yaml", broken, null, null));
        assertTrue(x.getMessage().startsWith("map.yaml:14:14: the spatial factors spread over 32 instances, but PE's mesh "
            + "has 16"), x.getMessage());
    }
}
