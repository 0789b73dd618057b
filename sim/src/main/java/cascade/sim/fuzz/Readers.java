package cascade.sim.fuzz;

import cascade.einsum.Cascade;
import cascade.einsum.InvalidInputException;
import cascade.einsum.exec.Npy;
import cascade.hw.ArchitectureLoader;
import cascade.hw.KernelPoints;
import cascade.hw.rtl.AttentionParams;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.MappingLoader;
import cascade.mappings.timeloop.TimeloopReader;
import cascade.sim.Sweeps;
import cascade.sim.spatten.SpattenSweep;
import cascade.traces.RequestTrace;
import cascade.traces.SpattenTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Every reader of user input, behind one entry point that fuzzing drives: the first byte picks the
 * reader, the rest is the file. A reader may only accept its input or refuse it with a located
 * {@link InvalidInputException}; anything else that escapes is a finding. Timeloop's three
 * files arrive as one input split at NUL bytes (architecture, problem, mapping).
 */
public final class Readers {
    private Readers() {
    }

    public enum Target {
        CASCADE("fuzz.cas"), ARCHITECTURE("arch.yaml"), DESIGN("design.yaml"), MAPPING("mapping.yaml"), SWEEP("sweep.yaml"),
        SPATTEN_SWEEP("spatten-sweep.yaml"), RTL_PARAMETERS("core.yaml"), TIMELOOP("timeloop.yaml"),
        KERNEL_POINTS("points.csv"), REQUEST_TRACE("requests.csv"), SPATTEN_TRACE("summary.csv"), NPY("input.npy");

        final String file;

        Target(String file) {
            this.file = file;
        }

        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private static final Target[] TARGETS = Target.values();
    /** The readers this JVM fuzzes (system property {@code cascade.fuzz.targets}, keywords; default all): a fuzzing process each. */
    private static final Target[] ACTIVE = System.getProperty("cascade.fuzz.targets") == null ? TARGETS
        : java.util.Arrays.stream(System.getProperty("cascade.fuzz.targets").split(",")).map(Readers::of).toArray(Target[]::new);
    private static final AtomicLongArray EXECUTIONS = new AtomicLongArray(TARGETS.length);
    /** Where a sweep's relative paths resolve: a folder with nothing in it, so no input reaches a real file. */
    private static final Path NOWHERE = Path.of("/nonexistent-cascade-fuzz");

    /** The reader the first byte names and the file the rest is: what {@link #read(byte[])} does with {@code input}. */
    public static Target target(byte[] input) {
        return TARGETS[Byte.toUnsignedInt(input[0]) % TARGETS.length];
    }

    public static Target of(String keyword) {
        return Arrays.stream(TARGETS).filter(t -> t.keyword().equals(keyword)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no reader " + keyword));
    }

    /** {@code input} with the byte that picks {@code t} among {@code among} in front: how a corpus is written. */
    public static byte[] framed(Target t, java.util.List<Target> among, byte[] file) {
        byte[] out = new byte[file.length + 1];
        out[0] = (byte) among.indexOf(t);
        System.arraycopy(file, 0, out, 1, file.length);
        return out;
    }

    /** Jazzer's entry point. */
    public static void fuzzerTestOneInput(byte[] input) {
        if (input.length == 0) {
            return;
        }
        try {
            Target t = ACTIVE[Byte.toUnsignedInt(input[0]) % ACTIVE.length];
            read(t, Arrays.copyOfRange(input, 1, input.length));
        } catch (InvalidInputException refused) {
            // the one way to refuse an input
        }
    }

    /** Runs the reader {@code input} names on the rest of it; throws what the reader throws. */
    public static void read(byte[] input) {
        read(target(input), Arrays.copyOfRange(input, 1, input.length));
    }

    /** Runs reader {@code t} on {@code body}; throws what the reader throws. */
    public static void read(Target t, byte[] body) {
        EXECUTIONS.incrementAndGet(t.ordinal());
        String text = new String(body, StandardCharsets.UTF_8);
        switch (t) {
            case CASCADE -> Cascade.parse(t.file, text);
            case ARCHITECTURE -> ArchitectureLoader.parse(t.file, text);
            case DESIGN -> Design.parse(t.file, text);
            case MAPPING -> MappingLoader.parse(t.file, text);
            case SWEEP -> Sweeps.parse(t.file, text, NOWHERE);
            case SPATTEN_SWEEP -> SpattenSweep.parse(t.file, text);
            case RTL_PARAMETERS -> AttentionParams.load(t.file, text);
            case TIMELOOP -> {
                String[] parts = text.split("\0", 3);
                TimeloopReader.parse("arch.yaml", parts[0], "problem.yaml", parts.length > 1 ? parts[1] : "",
                    "mapping.yaml", parts.length > 2 ? parts[2] : "", null, null);
            }
            case KERNEL_POINTS -> KernelPoints.parse(t.file, text);
            case REQUEST_TRACE -> RequestTrace.parse(t.file, text);
            case SPATTEN_TRACE -> SpattenTrace.parse(t.file, text);
            case NPY -> Npy.parse(t.file, body);
        }
    }

    /** Called by Jazzer when fuzzing ends: the inputs run per reader, one line each, to the file FuzzRun reads. */
    public static void fuzzerTearDown() {
        String file = System.getProperty("cascade.fuzz.counts");
        if (file == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (long n : executions()) {
            sb.append(n).append('\n');
        }
        try {
            java.nio.file.Files.writeString(Path.of(file), sb);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Inputs run per reader in this JVM so far. */
    public static long[] executions() {
        long[] out = new long[TARGETS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = EXECUTIONS.get(i);
        }
        return out;
    }
}
