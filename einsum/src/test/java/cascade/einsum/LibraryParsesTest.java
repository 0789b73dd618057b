package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LibraryParsesTest {
    static java.util.List<String> names() {
        return CascadeLibrary.names();
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyLibraryCascadeParsesAndValidates(String name) {
        Cascade c = CascadeLibrary.load(name);
        assertEquals(name, c.name());
        assertFalse(c.outputs().isEmpty());
        // The Einsum order is a topological order of the dataflow DAG.
        java.util.Set<String> done = new java.util.HashSet<>();
        c.inputs().forEach(t -> done.add(t.name()));
        for (Einsum e : c.einsums()) {
            for (var edge : c.dataflow().incomingEdgesOf(e.output())) {
                assertTrue(done.contains(c.dataflow().getEdgeSource(edge)), e.output() + " before its input");
            }
            done.add(e.output());
        }
    }
}
