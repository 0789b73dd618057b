package cascade.sim.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A coverage-guided fuzzing run of every reader ({@link Readers}) with Jazzer, in a child JVM (its
 * agent instruments the classes it loads, which must not be this JVM's). The corpus is seeded
 * from the repository's own files of each kind and from the regression inputs kept under
 * {@code sim/src/test/resources/fuzz/}; the corpus grows in {@code work/corpus}, so a second run
 * continues from the first. A finding (an exception other than the located
 * InvalidInputException, a hang past the per-input bound, memory past the bound) is counted,
 * and its input kept in {@code work/findings}.
 */
public final class FuzzRun {
    /** An input that takes longer than this is a hang. */
    public static final int HANG_SECONDS = 10;
    /**
     * Inputs longer than this are cut: every reader's grammar shows within a few hundred bytes, and
     * short inputs are what lets the fuzzer try many (a 2 KB cascade takes 0.1 ms to read).
     */
    public static final int MAX_LENGTH = 512;

    public record Finding(String kind, String detail, String input) {
    }

    public record Result(long executions, double seconds, Map<String, Long> perTarget, List<Finding> findings,
                         int seeds) {
        public long unexpectedExceptions() {
            return findings.size();
        }
    }

    private FuzzRun() {
    }

    /** Where each kind of seed lives in the repository (and, for Timeloop, beside it in shared/). */
    private static final Map<Readers.Target, List<String>> SEEDS = new LinkedHashMap<>();

    static {
        SEEDS.put(Readers.Target.CASCADE, List.of("einsum/src/main/resources/library", "einsum/src/test/resources/broken"));
        SEEDS.put(Readers.Target.ARCHITECTURE, List.of("hw-models/src/main/resources/architectures"));
        SEEDS.put(Readers.Target.DESIGN, List.of("mappings/src/main/resources/designs"));
        SEEDS.put(Readers.Target.SWEEP, List.of("examples"));
        SEEDS.put(Readers.Target.SPATTEN_SWEEP, List.of("examples/spatten-sweep.yaml"));
        SEEDS.put(Readers.Target.RTL_PARAMETERS, List.of("hw-models/src/main/resources/rtl"));
        SEEDS.put(Readers.Target.KERNEL_POINTS, List.of("hw-models/calibration"));
        SEEDS.put(Readers.Target.NPY, List.of("sim/src/test/resources/npy"));
    }

    /**
     * Fuzzes for {@code seconds} in all, from the repository at {@code home}, keeping the corpus and
     * findings under {@code work}; {@code progress} gets a line now and then.
     */
    public static Result run(Path home, Path work, int seconds, Consumer<String> progress) throws IOException, InterruptedException {
        Path corpus = work.resolve("corpus");
        Path seedDir = work.resolve("seeds");
        Path findings = work.resolve("findings");
        Path counts = work.resolve("executions.txt");
        for (Path d : List.of(corpus, seedDir, findings)) {
            Files.createDirectories(d);
        }
        Files.deleteIfExists(counts);
        int seeds = writeSeeds(home, seedDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx2g",
            "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED", "-Dcascade.fuzz.counts=" + counts,
            "-cp", System.getProperty("java.class.path"), "com.code_intelligence.jazzer.Jazzer",
            "--target_class=" + Readers.class.getName(), "--instrumentation_includes=cascade.**",
            "--keep_going=" + Integer.MAX_VALUE, "--reproducer_path=" + findings, "-artifact_prefix=" + findings + "/",
            "-max_total_time=" + seconds, "-timeout=" + HANG_SECONDS, "-rss_limit_mb=4096", "-seed=1",
            "-max_len=" + MAX_LENGTH, "-print_final_stats=1", corpus.toString(), seedDir.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        long executions = 0;
        double ran = seconds;
        List<Finding> found = new ArrayList<>();
        Pattern done = Pattern.compile("^Done (\\d+) runs in (\\d+) second");
        Pattern pulse = Pattern.compile("^#(\\d+)\\s+(\\w+)\\s+cov: (\\d+)");
        long lastProgress = System.nanoTime();
        String exception = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = done.matcher(line);
                if (m.find()) {
                    executions = Long.parseLong(m.group(1));
                    ran = Double.parseDouble(m.group(2));
                }
                Matcher pm = pulse.matcher(line);
                if (pm.find()) {
                    executions = Math.max(executions, Long.parseLong(pm.group(1)));
                    if (System.nanoTime() - lastProgress > 10e9) {
                        progress.accept(pm.group(1) + " inputs, coverage " + pm.group(3));
                        lastProgress = System.nanoTime();
                    }
                }
                if (line.startsWith("== Java Exception: ")) {
                    exception = line.substring("== Java Exception: ".length());
                } else if (line.contains("ERROR: libFuzzer: timeout")) {
                    exception = "a hang: one input ran past " + HANG_SECONDS + " s";
                } else if (line.contains("ERROR: libFuzzer: out-of-memory")) {
                    exception = "out of memory: " + line.strip();
                }
                if (exception != null && (line.contains("Test unit written to") || line.startsWith("artifact_prefix"))) {
                    String input = line.replaceFirst(".*Test unit written to ", "").strip();
                    found.add(new Finding(exception.startsWith("a hang") ? "hang" : exception.startsWith("out of memory") ? "memory"
                        : "exception", exception, input));
                    progress.accept("finding: " + exception + " (" + input + ")");
                    exception = null;
                }
            }
        }
        int code = p.waitFor();
        if (executions == 0 && code != 0) {
            throw new IOException("the fuzzer did not run (exit " + code + ")");
        }
        Map<String, Long> perTarget = new LinkedHashMap<>();
        List<String> lines = Files.exists(counts) ? Files.readAllLines(counts) : List.of();
        for (Readers.Target t : Readers.Target.values()) {
            perTarget.put(t.keyword(), t.ordinal() < lines.size() ? Long.parseLong(lines.get(t.ordinal()).strip()) : 0L);
        }
        return new Result(executions, ran, perTarget, List.copyOf(found), seeds);
    }

    /** The seed corpus: each repository file of a kind, framed for its reader; and every kept regression input. */
    private static int writeSeeds(Path home, Path dir) throws IOException {
        int n = 0;
        for (var e : SEEDS.entrySet()) {
            for (String where : e.getValue()) {
                for (Path f : files(home.resolve(where))) {
                    Files.write(dir.resolve(e.getKey().keyword() + "-" + n++), Readers.framed(e.getKey(), Files.readAllBytes(f)));
                }
            }
        }
        for (Path f : regressionInputs(home)) {
            Files.write(dir.resolve("regression-" + n++), Files.readAllBytes(f));
        }
        return n;
    }

    /** The kept inputs of earlier findings, framed as {@link Readers#read} takes them. */
    public static List<Path> regressionInputs(Path home) throws IOException {
        return files(home.resolve("sim/src/test/resources/fuzz"));
    }

    private static List<Path> files(Path where) throws IOException {
        if (Files.isRegularFile(where)) {
            return List.of(where);
        }
        if (!Files.isDirectory(where)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(where)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
