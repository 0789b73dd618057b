package cascade.einsum.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** A fixed pool of worker threads; the calling thread takes one share of each job itself. */
final class Parallel implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "cascade-executor");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs {@code task(0..n-1)}, at most {@link #threads()} at a time, and waits for all. */
    void run(int n, IntConsumer task) {
        if (n <= 1 || pool == null) {
            for (int i = 0; i < n; i++) {
                task.accept(i);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            int share = i;
            futures.add(pool.submit(() -> task.accept(share)));
        }
        task.accept(0);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error error) { // an OutOfMemoryError in a worker stays one
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
