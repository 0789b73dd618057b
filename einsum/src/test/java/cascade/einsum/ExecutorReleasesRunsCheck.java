package cascade.einsum;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Tensors;
import java.util.Map;

/**
 * Run in its own JVM under a small fixed heap by {@link ExecutorReleasesRunsTest}: one executor
 * runs the same cascade and shape {@code runs} times, as a benchmark's warm-up or a long sweep
 * does. Prints the live heap after the first run and after the last, each after a full GC.
 */
public final class ExecutorReleasesRunsCheck {
    private ExecutorReleasesRunsCheck() {
    }

    public static void main(String[] args) {
        Cascade c = CascadeLibrary.load(args[0]);
        long n = Long.parseLong(args[1]);
        int runs = Integer.parseInt(args[2]);
        Map<String, Long> sizes = c.sizes(Map.of("P", n, "M", n, "E", 64L, "F", 64L));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 7);
        long first = 0;
        try (Executor executor = new Executor(2)) {
            for (int r = 0; r < runs; r++) {
                executor.run(c, sizes, in);
                if (r == 0) {
                    first = liveBytes();
                }
            }
        }
        System.out.println("runs=" + runs + " liveAfterFirst=" + first + " liveAfterLast=" + liveBytes()
            + " maxHeapBytes=" + Runtime.getRuntime().maxMemory());
    }

    private static long liveBytes() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
