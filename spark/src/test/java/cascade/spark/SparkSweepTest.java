package cascade.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.mappings.sweep.SweepPlan;
import cascade.mappings.sweep.SweepRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance 2 of issue #8: a 2,016-point sweep on Spark local[2] writes exactly the thread-pool engine's CSV. */
class SparkSweepTest {
    static final Path BIG = Path.of("..", "examples", "big-sweep.yaml");

    @Test
    void sparkWritesTheThreadPoolsRows(@TempDir Path dir) throws Exception {
        SweepPlan plan = SweepPlan.load(BIG);
        assertTrue(plan.points() >= 2000, plan.points() + " points");
        Path local = dir.resolve("local.csv");
        new SweepRunner(plan).run(local, 2, false);
        Path spark = dir.resolve("spark.csv");
        assertEquals(plan.points(), SparkSweep.run(BIG, spark, "local[2]", 0));
        assertEquals(Files.readString(local), Files.readString(spark));
    }

    /** A task that fails once is run again by Spark; the CSV has every point once and equals a clean run. */
    @Test
    void aRetriedTaskDuplicatesNothing(@TempDir Path dir) throws Exception {
        Path sweep = dir.resolve("s.yaml");
        Files.writeString(sweep, Files.readString(BIG).replace("[8, 16, 32, 64, 128, 256]", "[64, 128]")
            .replace("[512 KiB, 1 MiB, 2 MiB, 4 MiB, 8 MiB, 16 MiB, 32 MiB, 64 MiB]", "[1 MiB, 16 MiB]"));
        Path clean = dir.resolve("clean.csv");
        SparkSweep.run(sweep, clean, "local[2]", 4);
        SparkSweep.failOnce = 5;
        try {
            Path retried = dir.resolve("retried.csv");
            SparkSweep.run(sweep, retried, "local[2,4]", 4); // local[threads, maxFailures]: retries on
            List<String> lines = Files.readAllLines(retried);
            assertEquals(1 + SweepPlan.load(sweep).points(), lines.size());
            assertEquals(Files.readString(clean), Files.readString(retried));
        } finally {
            SparkSweep.failOnce = -1;
        }
    }

    /**
     * A standalone master and two workers in their own JVMs; one worker's JVM is killed once the
     * first task has finished. Spark runs the lost executor's tasks on the other; the CSV has every
     * point once and equals the thread pool's, and no JVM of the cluster outlives it.
     */
    @Test
    void aWorkerKilledMidSweepLosesNothing(@TempDir Path dir) throws Exception {
        Path sweep = dir.resolve("s.yaml");
        Files.writeString(sweep, Files.readString(BIG).replace("[512 KiB, 1 MiB, 2 MiB, 4 MiB, 8 MiB, 16 MiB, 32 MiB, 64 MiB]",
            "[1 MiB, 16 MiB]"));
        SweepPlan plan = SweepPlan.load(sweep);
        Path local = dir.resolve("local.csv");
        new SweepRunner(plan).run(local, 2, false);
        Path spark = dir.resolve("spark.csv");
        java.util.List<ProcessHandle> left;
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        try (StandaloneCluster cluster = StandaloneCluster.start(2, dir.resolve("cluster"))) {
            assertEquals(3, cluster.running().size(), "a master and two workers");
            var killer = new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                    if (killed.compareAndSet(false, true)) {
                        cluster.killWorker(0);
                    }
                }
            };
            assertEquals(plan.points(), SparkSweep.run(sweep, spark, cluster.masterUrl(), 16, killer));
            assertTrue(killed.get(), "a worker was killed mid-sweep");
            cluster.close();
            left = cluster.running();
        }
        assertEquals(java.util.List.of(), left, "no JVM of the cluster is left");
        List<String> lines = Files.readAllLines(spark);
        assertEquals(1 + plan.points(), lines.size());
        assertEquals(Files.readString(local), Files.readString(spark));
    }
}
