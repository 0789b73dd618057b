package cascade.einsum.exec;

/** One Einsum compiled for the executor. */
interface Kernel {
    /** Fixes the step rank's index (windows, recurrence subscripts) before {@link #run}. */
    void bindStep(int stepRankId, long step);

    /** Computes the output; with {@code accumulate} a reduction over the step rank adds to what is stored. */
    void run(long[] baseIndex, boolean accumulate, Parallel parallel);
}
