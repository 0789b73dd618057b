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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12: a finished run's kernels, scratch and tensors must become garbage. Three hundred
 * runs at P = M = 1,024, E = F = 64 (about 1 MB of inputs, a few MB live per run) under a 96 MiB
 * heap: the code that kept each run's scratch in thread-locals of the pool threads ran out of
 * heap within 50 runs. The 1-pass cascade takes the tiled step loop with GEMMs; the 3-pass one
 * the untiled path with row kernels.
 */
class ExecutorReleasesRunsTest {
    @ParameterizedTest
    @ValueSource(strings = {"attention-1pass", "attention-3pass"})
    void threeHundredRunsFitInASmallHeap(String cascade) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-Xmx96m",
            "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
            ExecutorReleasesRunsCheck.class.getName(), cascade, "1024", "300"))
            .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "timed out");
        assertEquals(0, child.exitValue(), output);
        Matcher m = Pattern.compile("runs=300 liveAfterFirst=(\\d+) liveAfterLast=(\\d+)").matcher(output);
        assertTrue(m.find(), output);
        long growth = Long.parseLong(m.group(2)) - Long.parseLong(m.group(1));
        assertTrue(growth < 8L << 20, "the live heap grew by " + growth + " bytes over 300 runs: " + output);
    }
}
