package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance: a sweep killed with SIGKILL halfway and restarted writes the same CSV as an uninterrupted run. */
class SweepResumeTest {
    static final String SWEEP = """
        sweep: resume-check
        cascade: attention-1pass
        einsum: QK
        bind: {P: 1024, M: 1024, E: 64, F: 64}
        architecture: fusemax
        unit: PE2D
        objective: edp
        search: {starts: 60, steps: 3000, seed: 4}
        grid:
          PE2D.rows: [32, 64, 128, 256]
          GlobalBuffer.capacity: [1 MiB, 4 MiB, 16 MiB]
        """;

    static int run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertFalse(err.toString().contains("Exception"), err.toString());
        return code;
    }

    @Test
    void killedAndRestartedEqualsUninterrupted(@TempDir Path dir) throws IOException, InterruptedException {
        Path sweep = dir.resolve("sweep.yaml");
        Files.writeString(sweep, SWEEP);
        Path reference = dir.resolve("reference.csv");
        assertEquals(0, run("sweep", sweep.toString(), "--out", reference.toString(), "--threads", "1", "--quiet"));

        Path out = dir.resolve("out.csv");
        Path partial = dir.resolve("out.csv.partial");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "sweep", sweep.toString(), "--out", out.toString(),
            "--threads", "1", "--quiet")).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (dataLines(partial) < 4 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the child finished before it could be killed; make its points slower");
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        child.waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(out), "a killed run must leave no results file");
        long before = dataLines(partial);
        assertTrue(before >= 4 && before < 12, "killed halfway: " + before + " of 12 rows");

        assertEquals(0, run("sweep", sweep.toString(), "--out", out.toString(), "--threads", "2", "--quiet"));
        assertEquals(Files.readString(reference), Files.readString(out));
        assertFalse(Files.exists(partial));
    }

    private static long dataLines(Path partial) throws IOException {
        if (!Files.exists(partial)) {
            return 0;
        }
        return Math.max(0, Files.readString(partial).chars().filter(c -> c == '\n').count() - 1);
    }

    @Test
    void badSweepSpecsAreLocated(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, SWEEP.replace("GlobalBuffer.capacity: [1 MiB, 4 MiB, 16 MiB]",
            "GlobalBuffer.capacity: [1 MiB, 4 MIB, 16 MiB]"));
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"sweep", f.toString(), "--out", dir.resolve("x.csv").toString(), "--quiet"},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().startsWith(f + ":11:34: unknown unit 'MIB'"), err.toString());
        Files.writeString(f, SWEEP.replace("PE2D.rows", "PE2D.height"));
        err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"sweep", f.toString(), "--out", dir.resolve("x.csv").toString(), "--quiet"},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("cannot override 'height' of PE2D"), err.toString());
        assertFalse(Files.exists(dir.resolve("x.csv")));
    }
}
