package cascade.mappings.offload;

import cascade.mappings.spec.ModelShape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.hw.Device;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffloadTest {
    static Offload llama70b() {
        return new Offload(ModelShape.of("llama-2-70b"), Device.preset("h100"), Device.preset("h20"), Device.link("rdma200"));
    }

    /**
     * Per decoded token and layer, the link carries the query (64 heads × 128), the attention
     * output (the same) to and from the attention pool, and the new key and value (8 KV heads ×
     * 128 each) into its cache: (2·8192 + 2·1024) bf16 values = 36,864 bytes; B tokens, B times that.
     */
    @Test
    void linkTrafficIsTheTensorsThatCross() {
        Offload o = llama70b();
        Offload.LayerWork one = o.layer(1, 4096);
        assertEquals(Map.of("Q", 64L * 128, "AV", 64L * 128, "KN", 8L * 128, "VN", 8L * 128), one.crossing());
        assertEquals((2 * 64 * 128 + 2 * 8 * 128) * 2.0, one.linkBytes());
        assertEquals(7 * one.linkBytes(), o.layer(7, 4096).linkBytes());
        assertEquals(one.linkBytes(), o.layer(1, 32768).linkBytes(), "the context does not cross the link");
    }

    /** The attention-offloading paper's trend: the gain over homogeneous serving grows with the context. */
    @Test
    void gainGrowsWithContext() {
        Offload o = llama70b();
        double last = 0;
        for (long ctx : new long[] {1024, 4096, 16384}) {
            Offload.Result off = o.search(ctx, 0.1, true);
            Offload.Result base = o.search(ctx, 0.1, false);
            double gain = off.tokensPerDollar() / base.tokensPerDollar();
            assertTrue(gain > last, ctx + ": " + gain);
            assertTrue(off.tokenLatencySeconds() <= 0.1 && base.tokenLatencySeconds() <= 0.1);
            last = gain;
        }
        assertTrue(last > 2, "at 16K tokens offloading more than doubles tokens per dollar: " + last);
    }

    @Test
    void capacityIsEnforced() {
        Offload o = llama70b();
        assertEquals(2, o.minComputeDevices(), "140 GB of weights on 80 GB devices at 90%");
        Offload.Result tooBig = o.evaluate(new Offload.Placement(2, 1, 4096), 32768, 10);
        assertTrue(!tooBig.feasible() && tooBig.why().contains("KV cache"), tooBig.why());
        Offload.Result slow = o.evaluate(new Offload.Placement(2, 32, 512), 4096, 0.001);
        assertTrue(!slow.feasible() && slow.why().contains("limit"), slow.why());
    }
}
