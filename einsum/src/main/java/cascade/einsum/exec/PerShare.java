package cascade.einsum.exec;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Scratch for each share of a parallel job ({@link Parallel#run}'s task index), owned by one
 * kernel and so freed with the run that compiled it. A thread-local would do the same job but
 * leaks: the executor's pool threads outlive every run, and a thread's map holds each value
 * strongly, so every finished run's scratch (and, through it, the kernel and its tensors) stayed
 * reachable. A share is run by one thread at a time, and the pool's hand-over orders one run's
 * writes before the next run's reads, so the slots need no locking.
 */
final class PerShare<T> {
    private final Supplier<T> make;
    private Object[] slots = new Object[1];

    PerShare(Supplier<T> make) {
        this.make = make;
    }

    /** Makes room for shares {@code 0..shares-1}; called by the dispatching thread before it hands shares out. */
    void reserve(int shares) {
        if (shares > slots.length) {
            slots = Arrays.copyOf(slots, shares);
        }
    }

    @SuppressWarnings("unchecked")
    T get(int share) {
        Object s = slots[share];
        if (s == null) {
            s = make.get();
            slots[share] = s;
        }
        return (T) s;
    }
}
