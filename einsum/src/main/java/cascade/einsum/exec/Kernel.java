package cascade.einsum.exec;

/** One Einsum compiled for the executor. */
interface Kernel {
    /** Fixes the step rank's index (windows, recurrence subscripts) before {@link #run}. */
    void bindStep(int stepRankId, long step);

    /** Computes the output; with {@code accumulate} a reduction over the step rank adds to what is stored. */
    void run(long[] baseIndex, boolean accumulate, Parallel parallel);

    /** The rank along the kernel's vector lanes (a row kernel's row, a GEMM's j), or -1. */
    int laneRank();

    /**
     * Like {@link #run} on the calling thread alone, for lane-rank indices {@code [j0, j1)} only; one
     * thread at a time per kernel (it uses the kernel's first share of scratch).
     */
    void runLanes(long[] baseIndex, boolean accumulate, int j0, int j1);
}
