package cascade.spark;

import cascade.mappings.sweep.SweepPlan;
import cascade.mappings.sweep.SweepRunner;
import cascade.sim.Sweeps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A sweep on Apache Spark: the same sweep YAML, its points partitioned across executors, each
 * partition parsing the sweep once and evaluating its points; the rows come back to the driver
 * and are written in the thread-pool engine's CSV schema, sorted by point, Pareto marked,
 * atomically. A failed task is simply run again by Spark: rows are the tasks' results, never side
 * effects, so a retry cannot duplicate one.
 *
 * <pre>
 * java -cp spark/target/cascade-spark-*.jar:spark/target/lib/* cascade.spark.SparkSweep SWEEP.yaml --out FILE.csv [--master local[2]]
 * spark-submit --class cascade.spark.SparkSweep spark/target/cascade-spark-*-cluster.jar SWEEP.yaml --out FILE.csv
 * </pre>
 */
public final class SparkSweep {
    private SparkSweep() {
    }

    /** For tests: the point whose first evaluation fails (-1: none), to see Spark retry the task. */
    static volatile long failOnce = -1;
    private static final java.util.concurrent.atomic.AtomicBoolean FAILED = new java.util.concurrent.atomic.AtomicBoolean();

    static SweepPlan load(String file, String text, String baseDir) {
        return Sweeps.parse(file, text, Path.of(baseDir));
    }

    /**
     * Runs the sweep on Spark and writes {@code out}. {@code master}: null (as spark-submit set it),
     * {@code local[N]}, {@code spark://HOST:PORT} (a cluster the user runs: Cascade's jars are
     * shipped to its executors), or {@code standalone[N]} (a standalone master and N workers
     * started on 127.0.0.1 for this run and stopped after it).
     */
    public static long run(Path sweep, Path out, String master, int partitions) throws IOException, InterruptedException {
        java.util.regex.Matcher standalone = master == null ? null
            : java.util.regex.Pattern.compile("standalone\\[(\\d{1,2})]").matcher(master);
        if (standalone == null || !standalone.matches()) {
            return run(sweep, out, master, partitions, null);
        }
        Path home = Files.createTempDirectory("cascade-spark-standalone-");
        try (StandaloneCluster cluster = StandaloneCluster.start(Integer.parseInt(standalone.group(1)), home)) {
            return run(sweep, out, cluster.masterUrl(), partitions, null);
        } finally {
            deleteTree(home);
        }
    }

    /** As {@link #run(Path, Path, String, int)} on a given master, with {@code listener} (if any) told of Spark's events. */
    static long run(Path sweep, Path out, String master, int partitions, org.apache.spark.scheduler.SparkListener listener)
            throws IOException {
        String text = Files.readString(sweep, StandardCharsets.UTF_8);
        String file = sweep.toString();
        String base = sweep.toAbsolutePath().getParent().toString();
        SweepPlan plan = load(file, text, base);
        long n = plan.points();
        SparkConf conf = new SparkConf().setAppName("cascade sweep " + plan.name()).set("spark.ui.enabled", "false")
            .set("spark.task.maxFailures", "4");
        if (master != null) {
            conf.setMaster(master);
        }
        if (master != null && master.startsWith("spark://")) {
            conf.set("spark.executor.memory", "512m").set("spark.executor.cores", "1");
            if (master.startsWith("spark://127.0.0.1:") || master.startsWith("spark://localhost:")) {
                conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            }
            // Cascade's jars ship to the executors, whose cluster has Spark; class folders (a build's target/classes)
            // do not ship, and an executor on this machine reads them in place.
            conf.setJars(classPath().stream().filter(p -> p.getFileName().toString().matches("cascade-.*\\.jar"))
                .map(Path::toString).toArray(String[]::new));
            List<String> folders = classPath().stream().filter(Files::isDirectory).map(Path::toString).toList();
            if (!folders.isEmpty()) {
                conf.set("spark.executor.extraClassPath", String.join(java.io.File.pathSeparator, folders));
            }
        }
        List<List<String>> rows;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            if (listener != null) {
                sc.sc().addSparkListener(listener);
            }
            List<Long> ids = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                ids.add(i);
            }
            int parts = partitions > 0 ? partitions : Math.max(1, sc.defaultParallelism() * 4);
            long fail = failOnce;
            rows = sc.parallelize(ids, parts).mapPartitions((Iterator<Long> it) -> {
                SweepPlan p = load(file, text, base); // once per partition, on the executor
                List<List<String>> out2 = new ArrayList<>();
                while (it.hasNext()) {
                    long id = it.next();
                    if (id == fail && FAILED.compareAndSet(false, true)) {
                        throw new IllegalStateException("planted failure of the task holding point " + id);
                    }
                    List<String> row = new ArrayList<>();
                    row.add(Long.toString(id));
                    row.addAll(p.evaluate(id));
                    out2.add(row);
                }
                return out2.iterator();
            }).collect();
        }
        List<List<String>> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(r -> Long.parseLong(r.getFirst())));
        new SweepRunner(plan).writeResults(out, sorted);
        return n;
    }

    private static List<Path> classPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .filter(e -> !e.isEmpty()).map(e -> Path.of(e).toAbsolutePath()).toList();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path sweep = null;
        Path out = null;
        String master = null;
        int partitions = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--master" -> master = args[++i];
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                default -> sweep = Path.of(args[i]);
            }
        }
        if (sweep == null || out == null) {
            System.err.println("usage: SparkSweep SWEEP.yaml --out FILE.csv [--master URL] [--partitions N]");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        long n = run(sweep, out, master, partitions);
        System.err.printf("sweep on Spark: %d points in %.1f s -> %s%n", n, (System.nanoTime() - t0) / 1e9, out);
    }
}
