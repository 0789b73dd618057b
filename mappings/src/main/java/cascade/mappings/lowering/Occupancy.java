package cascade.mappings.lowering;

/**
 * Which runs of a stepped stage are performed, and how much of each is effectual: for every tile of
 * a head, step and block, a class. Class {@link #EMPTY} is a run nothing needs (every point of every
 * sparse work ineffectual, so the step leaves the recurrences as they were and the run is skipped);
 * {@link #FULL} a run whose every point is effectual; above, the distinct partly effectual runs, each
 * with its works' effectual points per run. Masks are periodic per block row and causal or window
 * masks give a few distinct shapes, so there are few classes.
 *
 * <p>Where the stage skips empty runs, the steps no block of a tile needs are left out: {@code steps}
 * is then the most steps any tile needs, {@code realStep} maps each tile's kept steps to the stage's
 * (a tile that needs fewer ends in empty steps, -1). A step left out leaves every block's state as it
 * was, so its absence is exact; it is what lets the simulator play a band mask at 1M tokens.
 *
 * <p>Heads repeat the same pattern; {@code runsOfClass} counts runs per head; {@code anyNeeded}, per
 * tile of a head and step, whether a block's run there is not empty; {@code uniformTiles}, whether
 * every tile of a head has the same classes (then tiles repeat, not only heads). The arrays are not
 * copied and must not change once built.
 */
public record Occupancy(boolean skipsEmpty, long tilesPerHead, long steps, long blocks, short[] classOf,
                        long[][] effectual, long[] runsOfClass, boolean[] anyNeeded, boolean uniformTiles, int[] realStep) {
    public static final short EMPTY = 0;
    public static final short FULL = 1;

    /** The class of the run of {@code block} at {@code step} in the head's tile {@code tileInHead}. */
    public int classAt(long tileInHead, long step, long block) {
        return classOf[Math.toIntExact((tileInHead * steps + step) * blocks + block)];
    }

    /**
     * Whether the head's tiles {@code a} and {@code b} cost the same: the same classes and needed
     * chunks, step by step (which of the stage's steps they are, which only values need, may differ).
     */
    public boolean sameTiles(long a, long b) {
        int runs = Math.toIntExact(steps * blocks);
        int ia = Math.toIntExact(a * steps * blocks);
        int ib = Math.toIntExact(b * steps * blocks);
        int sa = Math.toIntExact(a * steps);
        int sb = Math.toIntExact(b * steps);
        return java.util.Arrays.equals(classOf, ia, ia + runs, classOf, ib, ib + runs)
            && java.util.Arrays.equals(anyNeeded, sa, sa + (int) steps, anyNeeded, sb, sb + (int) steps);
    }

    /** The stage's step that step {@code step} of the head's tile {@code tileInHead} is, or -1 for a padding step. */
    public int stageStep(long tileInHead, long step) {
        return realStep[Math.toIntExact(tileInHead * steps + step)];
    }

    /** Whether a run of this class happens (an empty one does only where the stage cannot skip). */
    public boolean performed(int cls) {
        return cls != EMPTY || !skipsEmpty;
    }

    /** Whether some block of the tile needs the step's chunk of the inputs (else it is not fetched). */
    public boolean chunkNeeded(long tileInHead, long step) {
        return !skipsEmpty || anyNeeded[Math.toIntExact(tileInHead * steps + step)];
    }

    /** Stepped runs performed per head. */
    public long performedRunsPerHead() {
        long n = 0;
        for (int c = 0; c < runsOfClass.length; c++) {
            n += performed(c) ? runsOfClass[c] : 0;
        }
        return n;
    }

    /** Chunks fetched per head. */
    public long neededChunksPerHead() {
        long n = 0;
        for (long t = 0; t < tilesPerHead; t++) {
            for (long s = 0; s < steps; s++) {
                n += chunkNeeded(t, s) ? 1 : 0;
            }
        }
        return n;
    }

    /** Effectual points per head of stepped work {@code w} (whose dense run has {@code densePoints}). */
    public long effectualPerHead(int w, long densePoints) {
        long n = 0;
        for (int c = 0; c < runsOfClass.length; c++) {
            n += runsOfClass[c] * effectualOf(c, w, densePoints);
        }
        return n;
    }

    /** Effectual points of work {@code w} in one run of class {@code cls}. */
    public long effectualOf(int cls, int w, long densePoints) {
        return cls == EMPTY ? 0 : cls == FULL ? densePoints : effectual[cls][w];
    }
}
