package cascade.hw;

import java.util.List;

/**
 * What hardware exists: a storage hierarchy above compute units, a clock and a technology
 * node. It knows no algorithm and no loop order (ARCHITECTURE.md). Loaded from YAML by
 * {@link ArchitectureLoader}; every number keeps its {@link Figure} with the source it came from.
 */
public record Architecture(String name, String description, String file, double clockHz, double technologyNm,
                           int wordBits, List<StorageLevel> storage, List<ComputeArray> compute, List<Figure> figures) {

    public StorageLevel storage(String levelName) {
        return storage.stream().filter(s -> s.name().equals(levelName)).findFirst().orElse(null);
    }

    public ComputeArray compute(String unitName) {
        return compute.stream().filter(c -> c.name().equals(unitName)).findFirst().orElse(null);
    }

    /** The levels from the outermost down to {@code levelName}, following parents. */
    public List<String> pathTo(String levelName) {
        java.util.LinkedList<String> path = new java.util.LinkedList<>();
        for (StorageLevel s = storage(levelName); s != null; s = s.parent() == null ? null : storage(s.parent())) {
            path.addFirst(s.name());
        }
        return List.copyOf(path);
    }

    public double secondsPerCycle() {
        return 1 / clockHz;
    }

    /** Total area of storage and compute, µm², from the figures given (missing areas count as 0). */
    public double areaUm2() {
        return storage.stream().mapToDouble(s -> s.areaUm2() * s.instances()).sum()
            + compute.stream().mapToDouble(ComputeArray::areaUm2).sum();
    }
}
