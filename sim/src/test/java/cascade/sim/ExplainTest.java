package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.hw.EnergyAccountant;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.CostModel;
import cascade.mappings.spec.Design;
import cascade.mappings.model.Explanation;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.spec.ModelShape;
import cascade.sim.engine.Simulator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, acceptance 3: {@code --explain} gives, for energy per component and for cycles, parts
 * (counts × table entries, with sources) that add up to the reported figure, on both models.
 */
class ExplainTest {
    private static final Lowering LOWERING = Lowering.withMapper(8, 300);

    @ParameterizedTest
    @ValueSource(strings = {"fusemax", "flat", "unfused"})
    void explainedPartsAddUpOnBothModels(String design) {
        addsUp(LOWERING.lower(Design.preset(design), ModelShape.BERT.bindings(4096), 12), design);
    }

    /** Under a policy that skips ineffectual points a run takes less than a dense one: the parts still add up. */
    @ParameterizedTest
    @ValueSource(strings = {"skip", "gate", "dense"})
    void explainedPartsAddUpUnderEachSparsityPolicy(String policy) {
        Design d = Design.preset("fusemax").withCascade(cascade.einsum.CascadeLibrary.load("streaming-llm"))
            .withSparsity(cascade.mappings.spec.SparsityPolicy.named(policy));
        addsUp(LOWERING.lower(d, ModelShape.BERT.bindings(4096), 12), policy);
    }

    /**
     * Where a tile's inputs cannot load while the tile before runs (FuseMax's 32K-query tiles from
     * 64K tokens), the closed form's tile waits are a part of their own: one per tile, each the
     * query tile's words over DRAM's bandwidth, and the parts still add up on both models.
     */
    @Test
    void tileWaitsAreAPartWhereTilesCannotOverlap() {
        Schedule s = LOWERING.lower(Design.preset("fusemax"), ModelShape.BERT.bindings(65536), 2);
        addsUp(s, "fusemax 64K");
        Explanation.Part wait = Explanation.of(ClosedForm.INSTANCE.cost(s), "cycles").parts().stream()
            .filter(p -> p.label().contains("tiles waiting")).findFirst().orElseThrow();
        double wordsPerCycle = s.design().architecture().storage().getFirst().bandwidthWordsPerCycle();
        assertEquals(2 * 2, wait.count(), "two heads of two 32K-query tiles");
        assertEquals(Math.ceil(32768 * 64 / wordsPerCycle), wait.each());
    }

    private static void addsUp(Schedule s, String design) {
        for (CostModel model : List.of(ClosedForm.INSTANCE, Simulator.Model.DEFAULT)) {
            Report r = model.cost(s);
            double components = 0;
            for (var c : r.energyByComponentPj().entrySet()) {
                Explanation e = Explanation.of(r, "energy." + c.getKey());
                assertEquals(c.getValue(), e.value());
                assertEquals(c.getValue(), e.sum(), 1e-9 * c.getValue(), design + " " + c.getKey());
                for (Explanation.Part p : e.parts()) {
                    assertTrue(p.entry() != null && p.entry().source() != null, "no table entry behind " + p);
                    assertEquals(p.count() * p.each(), p.value(), 1e-9 * Math.abs(p.value()));
                }
                components += c.getValue();
            }
            assertEquals(r.energyPj(), components, 1e-9 * r.energyPj());
            assertEquals(r.energyPj(), Explanation.of(r, "energy").sum(), 1e-9 * r.energyPj());
            double tensors = r.energyByTensorPj().values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(r.energyPj(), tensors, 1e-9 * r.energyPj(), "energy by tensor adds up too");
            assertTrue(r.energyByTensorPj().containsKey(EnergyAccountant.OPERATIONS));
            Explanation cycles = Explanation.of(r, "cycles");
            assertEquals((double) r.cycles(), cycles.sum(), 0.0, design + " " + model);
            assertTrue(!cycles.parts().isEmpty());
            Explanation seconds = Explanation.of(r, "seconds");
            assertEquals(r.seconds(), seconds.sum(), 1e-12 * r.seconds());
            assertEquals("clock", seconds.parts().getFirst().entry().name());
        }
    }

    /** The printed explanation names the table entry and source, and its sum is the JSON's figure. */
    @ParameterizedTest
    @ValueSource(strings = {"estimate", "sim"})
    void theCommandLinePrintsEntriesSourcesAndTheReportedSum(String command) throws Exception {
        String[] base = {command, "--design", "fusemax", "--workload", "bert", "--seq", "4096", "--batch", "1"};
        JsonNode json = new ObjectMapper().readTree(Cli.ok(concat(base, "--format", "json")));
        String text = Cli.ok(concat(base, "--explain", "energy.GlobalBuffer"));
        assertTrue(text.contains("GlobalBuffer.read = 485.0 pJ per 256 words"), text);
        assertTrue(text.contains("FuseMax (MICRO 2024)"), text);
        Matcher m = Pattern.compile("sum of parts = (\\S+) pJ").matcher(text);
        assertTrue(m.find(), text);
        double reported = json.get("energyByComponentPj").get("GlobalBuffer").asDouble();
        assertEquals(reported, Double.parseDouble(m.group(1)), 1e-5 * reported);
        String cycles = Cli.ok(concat(base, "--explain", "cycles"));
        Matcher c = Pattern.compile("sum of parts = (\\d+) cycles").matcher(cycles);
        assertTrue(c.find(), cycles);
        assertEquals(json.get("cycles").asLong(), Long.parseLong(c.group(1)));

        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(concat(base, "--explain", "energy.Attic"), new PrintWriter(new StringWriter()),
            new PrintWriter(err)));
        assertTrue(err.toString().startsWith("--explain:1:1: no figure 'energy.Attic'"), err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
