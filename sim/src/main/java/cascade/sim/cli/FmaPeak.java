package cascade.sim.cli;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's practical float peak: independent FMA chains on every thread, enough of them
 * (12) to cover the FMA latency of two pipes, with nothing else in the loop.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FmaPeak() {
    }

    /**
     * The best of {@code trials} measurements: a peak is what the machine can do, and on a shared
     * machine a single measurement is what a neighbour left over.
     */
    static double best(int threads, long iterations, int trials) throws InterruptedException {
        double best = 0;
        for (int t = 0; t < trials; t++) {
            best = Math.max(best, measure(threads, iterations));
        }
        return best;
    }

    /** GFLOP/s of {@code threads} threads each running {@code iterations} rounds of 12 vector FMAs. */
    static double measure(int threads, long iterations) throws InterruptedException {
        // Many short calls first, so C2 compiles the method itself (an on-stack-replacement
        // compile of one long call can leave the vector operations unintrinsified for a while).
        for (int i = 0; i < 200; i++) {
            chains(100_000);
        }
        float[] sink = new float[threads];
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> sink[id] = chains(iterations));
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double flops = 2.0 * S.length() * 12 * iterations * threads;
        if (Float.isNaN(sink[0])) {
            throw new IllegalStateException("unreachable: keeps the chains alive");
        }
        return flops / seconds / 1e9;
    }

    private static float chains(long iterations) {
        FloatVector x = FloatVector.broadcast(S, 0.999999f);
        FloatVector y = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        FloatVector a8 = a0;
        FloatVector a9 = a0;
        FloatVector a10 = a0;
        FloatVector a11 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
            .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
