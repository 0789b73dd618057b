package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Acceptance: 1-pass attention with a million keys runs in the executor under -Xmx2g. */
class OnePassMemoryTest {
    @Test
    void millionKeyOnePassFitsInTwoGigabytes() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-Xmx2g",
            "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), OnePassMemoryCheck.class.getName()))
            .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "timed out");
        assertEquals(0, child.exitValue(), output);
        Matcher m = Pattern.compile("maxRelError=(\\S+) intermediateElements=(\\d+) maxHeapBytes=(\\d+)").matcher(output);
        assertTrue(m.find(), output);
        assertTrue(Double.parseDouble(m.group(1)) <= 1e-5, output);
        assertTrue(Long.parseLong(m.group(3)) <= 2L << 30, "the child ran with more than 2 GiB: " + output);
        // Intermediates hold chunks of 256 keys, never the 128 x 1M scores.
        assertTrue(Long.parseLong(m.group(2)) < 128L * 256 * 16, output);
    }
}
