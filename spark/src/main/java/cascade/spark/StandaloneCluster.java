package cascade.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 — one master and N workers, each in its own JVM, from
 * the Spark jars the build already has (no download): {@code --master standalone[N]}. A worker
 * launches its executors through Spark's launcher, which wants a Spark installation; the one it
 * gets is a folder whose {@code jars/} links every jar of this JVM's classpath (Spark's and
 * Cascade's, so executors need nothing shipped). {@link #close} stops every JVM it started,
 * executors included.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final long START_SECONDS = 90;

    private final Path home;
    private final Process master;
    private final List<Process> workers;
    private final String url;

    private StandaloneCluster(Path home, Process master, List<Process> workers, String url) {
        this.home = home;
        this.master = master;
        this.workers = workers;
        this.url = url;
    }

    /** Starts a master and {@code workers} workers (one core and 1 GiB each), waiting until all have registered. */
    public static StandaloneCluster start(int workers, Path home) throws IOException, InterruptedException {
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        Files.createDirectories(home.resolve("conf"));
        Set<String> names = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (Files.isRegularFile(p) && p.toString().endsWith(".jar") && names.add(p.getFileName().toString())) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
            }
        }
        int port = freePort();
        String url = "spark://127.0.0.1:" + port;
        Process master = launch(home, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
            Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        List<Process> started = new ArrayList<>();
        StandaloneCluster cluster = new StandaloneCluster(home, master, started, url);
        try {
            awaitLog(home.resolve("master.log"), "I have been elected leader", master);
            for (int i = 0; i < workers; i++) {
                Path work = home.resolve("work-" + i);
                Files.createDirectories(work);
                started.add(launch(home, "worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString(),
                    url));
            }
            for (int i = 0; i < workers; i++) {
                awaitLog(home.resolve("worker-" + i + ".log"), "Successfully registered with master", started.get(i));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public String masterUrl() {
        return url;
    }

    /** Kills worker {@code i}'s JVM outright, as a machine failing would (its executors go with it). */
    public void killWorker(int i) {
        Process w = workers.get(i);
        List<ProcessHandle> executors = w.descendants().toList();
        w.destroyForcibly();
        executors.forEach(ProcessHandle::destroyForcibly);
    }

    /** The JVMs this cluster started that still run: master, workers and their executors. */
    public List<ProcessHandle> running() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : processes()) {
            all.add(p.toHandle());
            all.addAll(p.descendants().toList());
        }
        return all.stream().filter(ProcessHandle::isAlive).toList();
    }

    private List<Process> processes() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : processes()) {
            all.addAll(p.descendants().toList());
            all.add(p.toHandle());
        }
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
        }
    }

    private static Process launch(Path home, String name, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-cp", home.resolve("jars") + File.separator + "*", main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(home.resolve(name + ".log").toFile());
        // Spark's launcher, which a worker uses to start executors, reads these.
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_CONF_DIR", home.resolve("conf").toString());
        return pb.start();
    }

    private static void awaitLog(Path log, String line, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IOException(log.getFileName() + ": the JVM exited (" + p.exitValue() + ") before '" + line + "'; "
                    + tail(log));
            }
            Thread.sleep(100);
        }
        throw new IOException(log.getFileName() + ": no '" + line + "' within " + START_SECONDS + " s; " + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "no log";
        }
        try (Stream<String> lines = Files.lines(log)) {
            List<String> all = lines.toList();
            return String.join(" | ", all.subList(Math.max(0, all.size() - 5), all.size()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
