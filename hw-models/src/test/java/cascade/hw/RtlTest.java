package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.hw.rtl.Block;
import cascade.hw.rtl.Blocks;
import cascade.hw.rtl.Cosim;
import cascade.hw.rtl.Fpga;
import cascade.hw.rtl.Hdl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated RTL against the Java cycle models, under Verilator (./test installs it). No check
 * here is skipped when a tool is missing: a missing tool fails the test.
 */
class RtlTest {
    static final Path WORK = Path.of("target", "rtl");

    /** Acceptance 1: 100,000 cycles of each block (directed edge cases first), zero mismatches, lint-clean. */
    @ParameterizedTest
    @ValueSource(strings = {"mac", "mac-q", "systolic", "vector", "topk"})
    void everyBlockAgreesWithItsModelEveryCycle(String name) throws Exception {
        Block b = Blocks.of(name, Map.of());
        Cosim cosim = new Cosim(WORK);
        assertEquals("", cosim.lint(b), "verilator --lint-only -Wall");
        Cosim.Result r = cosim.run(b, 100_000, 42, false, null);
        assertEquals(100_000, r.cycles());
        assertEquals(0, r.mismatches(), String.valueOf(r.first()));
    }

    /** Acceptance 2: a planted bug in each Java model is caught, at a named cycle and signal; a VCD can be written. */
    @ParameterizedTest
    @ValueSource(strings = {"mac", "mac-q", "systolic", "vector", "topk", "quickselect"})
    void aPlantedBugIsCaught(String name) throws Exception {
        Block b = Blocks.of(name, Map.of());
        Path vcd = WORK.resolve(name + "-bug.vcd");
        Files.deleteIfExists(vcd);
        Cosim.Result r = new Cosim(WORK).run(b, 20_000, 7, true, vcd);
        assertTrue(r.mismatches() > 0, name + ": the planted bug went unnoticed");
        assertTrue(r.first().toString().matches("cycle \\d+: \\w+ is 0x[0-9a-f]+ in the RTL, 0x[0-9a-f]+ in the Java model"),
            r.first().toString());
        assertTrue(Files.size(vcd) > 1000 && Files.readString(vcd).contains("$enddefinitions"), "VCD written");
    }

    /**
     * The systolic array's latency in cycles, measured on the RTL: a K-deep tile fed on cycles
     * 0..K−1 has every accumulator at its final value after exactly K + R + C − 2 rising edges.
     */
    @Test
    void systolicTileTakesKPlusRowsPlusColsMinusTwoCycles() throws Exception {
        Blocks.Systolic s = new Blocks.Systolic(4, 4);
        int k = 9;
        List<Map<String, Long>> stim = new ArrayList<>();
        stim.add(cycle(s, 1, 0, 0, 0));
        long[][] a = new long[4][k];
        long[][] bm = new long[k][4];
        for (int t = 0; t < k; t++) {
            for (int i = 0; i < 4; i++) {
                a[i][t] = (i * 7 + t * 3) % 5 + 1; // never 0: the last product must change the sum
                bm[t][i] = -((i * 5 + t * 2) % 4 + 1);
            }
        }
        for (int t = 0; t < k + 12; t++) {
            Map<String, Long> in = cycle(s, 0, t < k ? 1 : 0, t == 0 ? 1 : 0, 0);
            for (int i = 0; i < 4; i++) {
                in.put("a_" + i, Block.mask(t < k ? a[i][t] : 0, 8));
                in.put("b_" + i, Block.mask(t < k ? bm[t][i] : 0, 8));
            }
            stim.add(in);
        }
        List<Map<String, Long>> out = new Cosim(WORK).rtl(s, stim);
        long[][] expected = new long[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int t = 0; t < k; t++) {
                    expected[i][j] += a[i][t] * bm[t][j];
                }
            }
        }
        int done = -1;
        for (int t = 1; t < out.size(); t++) { // out[t] is after the edge of stimulus cycle t; cycle 1 is the tile's first
            boolean all = true;
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    all &= out.get(t).get("acc_" + i + "_" + j) == Block.mask(expected[i][j], 32);
                }
            }
            if (all && done < 0) {
                done = t;
            }
        }
        assertEquals(s.cyclesFor(k), done, "edges from the tile's first cycle to the last final accumulator");
        assertEquals(k + 4 + 4 - 2, s.cyclesFor(k));
    }

    static Map<String, Long> cycle(Blocks.Systolic s, long rst, long en, long clear, long v) {
        Map<String, Long> in = new LinkedHashMap<>();
        in.put("rst", rst);
        in.put("en", en);
        in.put("clear", clear);
        for (int i = 0; i < s.rows(); i++) {
            in.put("a_" + i, v);
        }
        for (int i = 0; i < s.cols(); i++) {
            in.put("b_" + i, v);
        }
        return in;
    }

    @Test
    void theLayerRefusesWidthMistakes() {
        Hdl.Module m = new Hdl.Module("t", "test");
        Hdl.Expr a = m.input("a", 8, true);
        Hdl.Signal o = m.output("o", 16, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.assign(o, a));
        assertTrue(e.getMessage().contains("o (signed 16 bits) cannot take a (signed 8 bits)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.add(m.input("b", 8, false)));
        IllegalArgumentException slice = assertThrows(IllegalArgumentException.class, () -> a.add(a).bits(3, 0));
        assertTrue(slice.getMessage().contains("name the value first"), slice.getMessage());
        IllegalArgumentException undriven = assertThrows(IllegalArgumentException.class, m::verilog);
        assertTrue(undriven.getMessage().contains("o is never driven"), undriven.getMessage());
    }

    /** Acceptance 3: bitstreams for both devices; the report's figures are the tools' own. */
    @Test
    void defaultConfigurationBuildsForUp5kAndHx8k() throws Exception {
        for (Fpga.Device d : Fpga.Device.values()) {
            Path out = WORK.resolve("fpga-" + d);
            Fpga.Report r = Fpga.build(new Block.Config(2, 2, 2), d, out);
            assertTrue(Files.size(r.bitstream()) > 10_000, "a .bin");
            String log = Files.readString(out.resolve("nextpnr-" + r.device() + ".log"));
            Fpga.Usage lc = r.resources().get("ICESTORM_LC");
            assertTrue(log.contains("ICESTORM_LC:  " + lc.used() + "/ " + lc.available()) || log.contains("ICESTORM_LC: "
                + lc.used() + "/ " + lc.available()), "the report's logic cells are nextpnr's: " + lc);
            assertTrue(log.contains(String.format("%.2f MHz", r.maxFrequencyMHz())), "the report's frequency is nextpnr's");
            assertTrue(r.maxFrequencyMHz() > 12 && r.flipFlops() > 100, r.toString());
        }
        Fpga.DoesNotFit tooBig = assertThrows(Fpga.DoesNotFit.class,
            () -> Fpga.build(new Block.Config(4, 4, 4), Fpga.Device.UP5K, WORK.resolve("fpga-big")));
        assertTrue(tooBig.getMessage().contains("needs 20 DSP blocks (ICESTORM_DSP), the device has 8"), tooBig.getMessage());
    }

    /**
     * Issue 18, acceptance 1: the quick-select engine in RTL holds busy for exactly the cycles
     * TopKEngine.QuickSelect counts, on every selection of 200,000 cycles of random scores (ties
     * half the time), and selects what it selects; lint-clean.
     */
    @Test
    void quickSelectTakesTheEngineModelsCyclesOnEveryInput() throws Exception {
        Block b = Blocks.of("quickselect", Map.of());
        Cosim cosim = new Cosim(WORK);
        assertEquals("", cosim.lint(b), "verilator --lint-only -Wall");
        Cosim.Result r = cosim.run(b, 200_000, 9, false, null);
        assertEquals(0, r.mismatches(), String.valueOf(r.first()));
        assertTrue(r.modelBusyCycles() > 10_000, "selections ran: " + r.modelBusyCycles());
        assertEquals(r.modelBusyCycles(), r.rtlBusyCycles());
    }
}
