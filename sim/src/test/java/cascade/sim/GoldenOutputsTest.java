package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13, acceptance 1: restructuring the costing path does not move a number. The files under
 * {@code src/test/resources/golden/} were written by the code as it stood before the restructuring
 * (commit "Golden outputs …"), from the commands below; each is compared field by field, wall-clock
 * fields and input paths aside. Integers must be equal; reals equal to 1e-12 relative, the freedom a change of
 * summation order needs and no more; an object's fields must be the same, in any order. A golden file may be rewritten
 * ({@code -Dgolden.write=true}) only where a bug is fixed, and the commit must say which.
 */
class GoldenOutputsTest {
    /** Not results: the time a run took, and the path of an input file (which depends on where shared/ lies). */
    private static final Set<String> NOT_RESULTS = Set.of("wallSeconds", "trace");
    private static final String SPATTEN_TRACE = SharedData.of("data", "spatten-workloads",
        "summary-gpt2-small-wikitext2-per8.csv").toString();

    static Stream<Arguments> commands() {
        List<Arguments> all = new ArrayList<>();
        for (String design : List.of("fusemax", "flat", "unfused")) {
            for (String seq : List.of("1024", "65536", "1048576")) {
                for (String command : List.of("estimate", "sim", "compare")) {
                    all.add(Arguments.of(command + "-" + design + "-" + seq,
                        List.of(command, "--design", design, "--workload", "bert", "--seq", seq, "--format", "json")));
                }
            }
        }
        all.add(Arguments.of("sim-spatten-gpt2-1024-keep0.8", List.of("sim", "--design", "spatten", "--workload", "gpt2",
            "--seq", "1024", "--keep", "0.8", "--value-keep", "0.5", "--format", "json")));
        all.add(Arguments.of("sim-spatten-bert-1024-keep0.8", List.of("sim", "--design", "spatten", "--workload", "bert",
            "--seq", "1024", "--keep", "0.8", "--format", "json")));
        all.add(Arguments.of("sim-spatten-trace-gpt2-small", List.of("sim", "--design", "spatten", "--spatten-trace",
            SPATTEN_TRACE, "--format", "json")));
        all.add(Arguments.of("offload-llama-2-70b-8192", List.of("offload", "--model", "llama-2-70b", "--compute", "h100",
            "--memory", "h20", "--context", "8192", "--format", "json")));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void jsonIsUnchanged(String name, List<String> args) throws IOException {
        String out = Cli.ok(args.toArray(String[]::new));
        check(name + ".json", out, true);
    }

    @Test
    void demoCsvIsUnchanged(@TempDir Path dir) throws IOException {
        Cli.ok("demo", "--out", dir.toString(), "--quiet");
        check("demo-results.csv", Files.readString(dir.resolve("results.csv")), false);
    }


    private static void check(String file, String actual, boolean json) throws IOException {
        Path golden = Path.of("src/test/resources/golden", file);
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(golden, actual);
            return;
        }
        assertTrue(Files.exists(golden), "no golden file " + golden);
        String expected = Files.readString(golden);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            List<String> differences = new ArrayList<>();
            compare("", mapper.readTree(expected), mapper.readTree(actual), differences);
            if (!differences.isEmpty()) {
                fail(file + ": " + differences.size() + " fields differ:\n  "
                    + String.join("\n  ", differences.subList(0, Math.min(20, differences.size()))));
            }
        } else {
            List<String> e = expected.lines().toList();
            List<String> a = actual.lines().toList();
            assertEquals(e.size(), a.size(), file + ": rows");
            for (int i = 0; i < e.size(); i++) {
                String[] ef = e.get(i).split(",", -1);
                String[] af = a.get(i).split(",", -1);
                assertEquals(ef.length, af.length, file + " row " + i);
                for (int c = 0; c < ef.length; c++) {
                    List<String> differences = new ArrayList<>();
                    compareScalars(file + " row " + i + " column " + c, ef[c], af[c], differences);
                    assertTrue(differences.isEmpty(), String.join("\n", differences));
                }
            }
        }
    }

    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isObject()) {
            if (!actual.isObject()) {
                differences.add(path + ": expected an object, got " + actual);
                return;
            }
            List<String> names = new ArrayList<>();
            expected.fieldNames().forEachRemaining(names::add);
            List<String> actualNames = new ArrayList<>();
            actual.fieldNames().forEachRemaining(actualNames::add);
            // JSON objects are unordered (RFC 8259): the same names, in any order.
            if (!new java.util.TreeSet<>(names).equals(new java.util.TreeSet<>(actualNames))) {
                differences.add(path + ": fields " + actualNames + ", expected " + names);
            }
            for (String n : names) {
                if (!NOT_RESULTS.contains(n) && actual.has(n)) {
                    compare(path + "." + n, expected.get(n), actual.get(n), differences);
                }
            }
        } else if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                differences.add(path + ": expected " + expected.size() + " elements, got " + actual);
                return;
            }
            Iterator<JsonNode> e = expected.elements();
            Iterator<JsonNode> a = actual.elements();
            for (int i = 0; e.hasNext(); i++) {
                compare(path + "[" + i + "]", e.next(), a.next(), differences);
            }
        } else {
            compareScalars(path, expected.asText(), actual.asText(), differences);
            if (expected.isNumber() != actual.isNumber()) {
                differences.add(path + ": type " + actual.getNodeType() + ", expected " + expected.getNodeType());
            }
        }
    }

    private static void compareScalars(String path, String expected, String actual, List<String> differences) {
        if (expected.equals(actual)) {
            return;
        }
        try {
            double e = Double.parseDouble(expected);
            double a = Double.parseDouble(actual);
            boolean integers = !expected.contains(".") && !expected.contains("E") && !expected.contains("e");
            if (!integers && Math.abs(a - e) <= 1e-12 * Math.max(Math.abs(e), Math.abs(a))) {
                return;
            }
        } catch (NumberFormatException notNumbers) {
            // compared as text
        }
        differences.add(path + ": " + actual + ", expected " + expected);
    }
}
