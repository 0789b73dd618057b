package cascade.hw;

import java.util.List;

/**
 * One level of the storage hierarchy (outermost first in an {@link Architecture}); {@code parent}
 * is the level it is filled from (null for the outermost), so the hierarchy is a tree. Energies
 * are per word read or written; bandwidth in words per cycle at the architecture's clock; latency
 * the cycles from a request to its first word (0 where not given).
 */
public record StorageLevel(String name, String parent, Kind kind, double capacityWords, int banks, int instances,
                           double widthWords, double bandwidthWordsPerCycle, long latencyCycles, double readPjPerWord,
                           double writePjPerWord, double areaUm2, List<Figure> figures,
                           double leakPjPerCycle) {
    public enum Kind { DRAM, SRAM, REGFILE }

    /** This level with another bandwidth, in words per cycle per instance. */
    public StorageLevel withBandwidth(double wordsPerCycle) {
        return new StorageLevel(name, parent, kind, capacityWords, banks, instances, widthWords, wordsPerCycle, latencyCycles,
            readPjPerWord, writePjPerWord, areaUm2, figures, leakPjPerCycle);
    }

    /** This level with another latency from request to first word. */
    public StorageLevel withLatency(long cycles) {
        return new StorageLevel(name, parent, kind, capacityWords, banks, instances, widthWords, bandwidthWordsPerCycle,
            cycles, readPjPerWord, writePjPerWord, areaUm2, figures, leakPjPerCycle);
    }

    /** A level that does not leak (static power not modelled). */
    public StorageLevel(String name, String parent, Kind kind, double capacityWords, int banks, int instances,
                        double widthWords, double bandwidthWordsPerCycle, long latencyCycles, double readPjPerWord,
                        double writePjPerWord, double areaUm2, List<Figure> figures) {
        this(name, parent, kind, capacityWords, banks, instances, widthWords, bandwidthWordsPerCycle, latencyCycles,
            readPjPerWord, writePjPerWord, areaUm2, figures, 0);
    }

    public boolean unbounded() {
        return Double.isInfinite(capacityWords);
    }
}
