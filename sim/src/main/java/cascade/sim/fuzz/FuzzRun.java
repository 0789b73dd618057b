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
 * A coverage-guided fuzzing run of every reader ({@link Readers}) with Jazzer, in child JVMs (its
 * agent instruments the classes it loads, which must not be this JVM's): one per group of
 * readers, two on a machine of two cores or more. The corpus is seeded from the repository's own
 * files of each kind and from the regression inputs kept under {@code sim/src/test/resources/fuzz/};
 * each process grows its corpus under {@code work}, so a second run continues from the first. A
 * finding (an exception other than the located InvalidInputException, a hang past the per-input
 * bound, memory past the bound) is counted, and its input kept in {@code work/GROUP/findings}.
 */
public final class FuzzRun {
    /** An input that takes longer than this is a hang. */
    public static final int HANG_SECONDS = 10;
    /**
     * Inputs longer than this are cut: every reader's grammar shows within a few hundred bytes, and
     * short inputs are what lets the fuzzer try many (a 2 KB cascade takes 0.1 ms to read).
     */
    public static final int MAX_LENGTH = 512;

    /** {@code input}: the fuzzer's file; {@code keep}: the same input framed as the regression inputs are (all readers). */
    public record Finding(String kind, String detail, String input, String keep) {
    }

    public record Result(long executions, double seconds, Map<String, Long> perTarget, List<Finding> findings,
                         int seeds) {
        public long unexpectedExceptions() {
            return findings.size();
        }
    }

    private FuzzRun() {
    }

    /**
     * Where each kind of seed lives in the repository; for mappings, Timeloop files and traces,
     * whose tests write them inline, {@code sim/src/test/resources/fuzz-seeds/} has one or two.
     */
    private static final Map<Readers.Target, List<String>> SEEDS = new LinkedHashMap<>();
    private static final String SEED_FOLDER = "sim/src/test/resources/fuzz-seeds/";

    static {
        SEEDS.put(Readers.Target.CASCADE, List.of("einsum/src/main/resources/library", "einsum/src/test/resources/broken"));
        SEEDS.put(Readers.Target.ARCHITECTURE, List.of("hw-models/src/main/resources/architectures"));
        SEEDS.put(Readers.Target.DESIGN, List.of("mappings/src/main/resources/designs"));
        SEEDS.put(Readers.Target.SWEEP, List.of("examples"));
        SEEDS.put(Readers.Target.SPATTEN_SWEEP, List.of("examples/spatten-sweep.yaml"));
        SEEDS.put(Readers.Target.RTL_PARAMETERS, List.of("hw-models/src/main/resources/rtl"));
        SEEDS.put(Readers.Target.KERNEL_POINTS, List.of("hw-models/calibration"));
        SEEDS.put(Readers.Target.NPY, List.of("sim/src/test/resources/npy"));
        SEEDS.put(Readers.Target.MAPPING, List.of(SEED_FOLDER + "mapping"));
        SEEDS.put(Readers.Target.TIMELOOP, List.of(SEED_FOLDER + "timeloop"));
        SEEDS.put(Readers.Target.REQUEST_TRACE, List.of(SEED_FOLDER + "request-trace"));
        SEEDS.put(Readers.Target.SPATTEN_TRACE, List.of(SEED_FOLDER + "spatten-trace"));
    }

    /**
     * Fuzzes for {@code seconds} in all, from the repository at {@code home}, keeping the corpus and
     * findings under {@code work}; {@code progress} gets a line now and then.
     */
    public static Result run(Path home, Path work, int seconds, Consumer<String> progress) throws IOException, InterruptedException {
        List<List<Readers.Target>> groups = Runtime.getRuntime().availableProcessors() >= 2 ? GROUPS
            : List.of(List.of(Readers.Target.values()));
        List<Fuzzer> fuzzers = new ArrayList<>();
        int seeds = 0;
        for (int g = 0; g < groups.size(); g++) {
            Fuzzer f = new Fuzzer(g, groups.get(g), work.resolve(groups.size() == 1 ? "all" : "group-" + g));
            seeds += f.prepare(home);
            fuzzers.add(f);
        }
        for (Fuzzer f : fuzzers) {
            f.start(seconds, progress);
        }
        long executions = 0;
        double ran = 0;
        List<Finding> found = new ArrayList<>();
        Map<String, Long> perTarget = new LinkedHashMap<>();
        for (Readers.Target t : Readers.Target.values()) {
            perTarget.put(t.keyword(), 0L);
        }
        for (Fuzzer f : fuzzers) {
            f.finish();
            executions += f.executions;
            ran = Math.max(ran, f.seconds);
            found.addAll(f.findings);
            f.perTarget.forEach((k, v) -> perTarget.merge(k, v, Long::sum));
        }
        return new Result(executions, ran, perTarget, List.copyOf(found), seeds);
    }

    /**
     * On two cores or more, two fuzzing processes: the text and binary readers in one, the YAML
     * readers (slower: each builds architectures) in the other.
     */
    private static final List<List<Readers.Target>> GROUPS = List.of(
        List.of(Readers.Target.CASCADE, Readers.Target.KERNEL_POINTS, Readers.Target.REQUEST_TRACE, Readers.Target.SPATTEN_TRACE,
            Readers.Target.NPY),
        List.of(Readers.Target.ARCHITECTURE, Readers.Target.DESIGN, Readers.Target.MAPPING, Readers.Target.SWEEP,
            Readers.Target.SPATTEN_SWEEP, Readers.Target.RTL_PARAMETERS, Readers.Target.TIMELOOP));

    /** One Jazzer process over a group of readers, with its own corpus and findings. */
    private static final class Fuzzer {
        final int index;
        final List<Readers.Target> targets;
        final Path dir;
        Process process;
        Thread reader;
        long executions;
        double seconds;
        final List<Finding> findings = new ArrayList<>();
        final Map<String, Long> perTarget = new LinkedHashMap<>();

        Fuzzer(int index, List<Readers.Target> targets, Path dir) {
            this.index = index;
            this.targets = targets;
            this.dir = dir;
        }

        int prepare(Path home) throws IOException {
            for (String d : List.of("corpus", "seeds", "findings")) {
                Files.createDirectories(dir.resolve(d));
            }
            Files.deleteIfExists(dir.resolve("executions.txt"));
            return writeSeeds(home, dir.resolve("seeds"), targets);
        }

        void start(int seconds, Consumer<String> progress) throws IOException {
            Path findingsDir = dir.resolve("findings");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx2g",
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED",
                "-Dcascade.fuzz.counts=" + dir.resolve("executions.txt"),
                "-Dcascade.fuzz.targets=" + String.join(",", targets.stream().map(Readers.Target::keyword).toList()),
                "-cp", System.getProperty("java.class.path"), "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + Readers.class.getName(), "--instrumentation_includes=cascade.**",
                "--keep_going=" + Integer.MAX_VALUE, "--reproducer_path=" + findingsDir, "-artifact_prefix=" + findingsDir + "/",
                "-max_total_time=" + seconds, "-timeout=" + HANG_SECONDS, "-rss_limit_mb=4096", "-seed=" + (1 + index),
                "-max_len=" + MAX_LENGTH, "-print_final_stats=1", dir.resolve("corpus").toString(), dir.resolve("seeds").toString()));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            this.seconds = seconds;
            reader = Thread.ofPlatform().start(() -> {
                try {
                    read(progress);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        private void read(Consumer<String> progress) throws IOException {
            Pattern done = Pattern.compile("^Done (\\d+) runs in (\\d+) second");
            Pattern pulse = Pattern.compile("^#(\\d+)\\s+(\\w+)\\s+cov: (\\d+)");
            long lastProgress = System.nanoTime();
            String exception = null;
            String name = "fuzz " + targets.stream().map(Readers.Target::keyword).toList();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = done.matcher(line);
                    if (m.find()) {
                        executions = Long.parseLong(m.group(1));
                        seconds = Double.parseDouble(m.group(2));
                    }
                    Matcher pm = pulse.matcher(line);
                    if (pm.find()) {
                        executions = Math.max(executions, Long.parseLong(pm.group(1)));
                        if (System.nanoTime() - lastProgress > 10e9) {
                            progress.accept(name + ": " + pm.group(1) + " inputs, coverage " + pm.group(3));
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
                    if (exception != null && line.contains("Test unit written to")) {
                        String input = line.replaceFirst(".*Test unit written to ", "").strip();
                        String keep = keep(Path.of(input));
                        synchronized (findings) {
                            findings.add(new Finding(exception.startsWith("a hang") ? "hang"
                                : exception.startsWith("out of memory") ? "memory" : "exception", exception, input, keep));
                        }
                        progress.accept("finding: " + exception + " (" + input + ")");
                        exception = null;
                    }
                }
            }
        }

        /** The finding re-framed for {@link Readers#read(byte[])}: what goes into sim/src/test/resources/fuzz/. */
        private String keep(Path input) throws IOException {
            byte[] raw = Files.readAllBytes(input);
            if (raw.length == 0) {
                return input.toString();
            }
            Readers.Target t = targets.get(Byte.toUnsignedInt(raw[0]) % targets.size());
            Path kept = input.resolveSibling("keep-" + input.getFileName());
            Files.write(kept, Readers.framed(t, List.of(Readers.Target.values()), java.util.Arrays.copyOfRange(raw, 1, raw.length)));
            return kept.toString();
        }

        void finish() throws IOException, InterruptedException {
            int code = process.waitFor();
            reader.join();
            if (executions == 0 && code != 0) {
                throw new IOException("the fuzzer of " + targets + " did not run (exit " + code + ")");
            }
            Path counts = dir.resolve("executions.txt");
            List<String> lines = Files.exists(counts) ? Files.readAllLines(counts) : List.of();
            for (Readers.Target t : Readers.Target.values()) {
                perTarget.put(t.keyword(), t.ordinal() < lines.size() ? Long.parseLong(lines.get(t.ordinal()).strip()) : 0L);
            }
        }
    }

    /** The seed corpus of {@code targets}: each repository file of their kinds, and the kept regression inputs of theirs. */
    private static int writeSeeds(Path home, Path dir, List<Readers.Target> targets) throws IOException {
        int n = 0;
        for (var e : SEEDS.entrySet()) {
            if (!targets.contains(e.getKey())) {
                continue;
            }
            for (String where : e.getValue()) {
                for (Path f : files(home.resolve(where))) {
                    Files.write(dir.resolve(e.getKey().keyword() + "-" + n++), Readers.framed(e.getKey(), targets,
                        Files.readAllBytes(f)));
                }
            }
        }
        for (Path f : regressionInputs(home)) {
            byte[] kept = Files.readAllBytes(f);
            Readers.Target t = kept.length == 0 ? null : Readers.target(kept);
            if (t != null && targets.contains(t)) {
                Files.write(dir.resolve("regression-" + n++), Readers.framed(t, targets,
                    java.util.Arrays.copyOfRange(kept, 1, kept.length)));
            }
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
