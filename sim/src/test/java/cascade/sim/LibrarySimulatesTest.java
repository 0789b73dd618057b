package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.CascadeLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every library cascade runs on the cycle-level simulator: on fusemax-topk (FuseMax's arrays and a
 * top-k engine), at its example sizes, with cycles and energy, and the closed form on the same
 * schedule within a factor of four of the simulation (the two models share only the lowering).
 */
class LibrarySimulatesTest {
    static java.util.List<String> names() {
        return CascadeLibrary.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void simulatesOnFuseMaxWithATopKEngine(String name) throws Exception {
        String bind = CascadeLibrary.exampleBindings(name).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
        String[] common = {"--design", "fusemax-topk", "--workload", "bert", "--seq", "1024", "--batch", "1", "--cascade", name,
            "--bind", bind, "--format", "json", "--quiet"};
        MainTest.Outcome sim = MainTest.run(concat("sim", common));
        assertEquals(0, sim.code(), sim.err());
        JsonNode s = new ObjectMapper().readTree(sim.out());
        assertTrue(s.get("cycles").asLong() > 0 && s.get("energyPj").asDouble() > 0, sim.out());
        MainTest.Outcome est = MainTest.run(concat("estimate", common));
        assertEquals(0, est.code(), est.err());
        double ratio = new ObjectMapper().readTree(est.out()).get("cycles").asDouble() / s.get("cycles").asDouble();
        assertTrue(ratio > 0.25 && ratio < 4, name + ": estimate / simulation = " + ratio);
    }

    private static String[] concat(String command, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = command;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
