package cascade.mappings.lowering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapperCosterTest {
    @Test
    void paddingStepIsTheLargestPowerOfTwoNoMoreThanTheRoot() {
        assertEquals(1, MapperCoster.paddingStep(1));
        assertEquals(1, MapperCoster.paddingStep(3));
        assertEquals(2, MapperCoster.paddingStep(4));
        assertEquals(4, MapperCoster.paddingStep(48));
        assertEquals(16, MapperCoster.paddingStep(997));
        assertEquals(32, MapperCoster.paddingStep(1024));
    }

    private static Map<String, Long> sizes(long m) {
        return Map.of("E", 64L, "F", 64L, "P", 1L, "M", m, "J", m, "T", m);
    }

    /**
     * 997 keys (a prime) cannot spread over SpAtten's 512 multipliers exactly; padded to 1,008 they
     * can: the run takes the padded mapping's cycles, and counts the real 997 keys' work.
     */
    @Test
    void anAwkwardRankIsMappedPaddedAndCountedReal() {
        Design d = Design.preset("spatten");
        Map<String, String> resident = Map.of("QS", "KVBuffer", "K", "KVBuffer", "QK", "KVBuffer");
        MapperCoster coster = new MapperCoster(Lowering.STANDARD_STARTS, Lowering.STANDARD_STEPS);
        Estimate.EinsumEstimate prime = coster.best(d, "QK", sizes(997), resident);
        Estimate.EinsumEstimate padded = coster.best(d, "QK", sizes(1008), resident);
        assertEquals(padded.cycles(), prime.cycles(), "the padded mapping's time");
        assertTrue(prime.cycles() < 997, "spread over lanes, not one key a cycle: " + prime.cycles());
        assertEquals(997L * 64, prime.points());
        for (int i = 0; i < prime.accesses().size(); i++) {
            Estimate.Accesses a = prime.accesses().get(i);
            Estimate.Accesses b = padded.accesses().get(i);
            if (a.tensor().equals("K") || a.tensor().equals("QK")) { // indexed by M: the real keys' share exactly
                assertEquals(b.reads() * 997 / 1008, a.reads(), a.toString());
                assertEquals(b.writes() * 997 / 1008, a.writes(), a.toString());
            } else {
                assertEquals(b, a, "a tensor M does not index keeps the padded count");
            }
        }
        assertTrue(prime.totalEnergyPj() < padded.totalEnergyPj());
        Estimate.EinsumEstimate power = coster.best(d, "QK", sizes(1024), resident);
        assertEquals(1024L * 64, power.points(), "a power of two is never padded");
    }
}
