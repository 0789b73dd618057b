package cascade.einsum.exec;

import cascade.einsum.Cascade;
import cascade.einsum.Partition;
import cascade.einsum.RankDecl;
import java.util.HashMap;
import java.util.Map;

/** Dense ids for a cascade's ranks, so an index point is a {@code long[]}. */
final class RankIds {
    private final Map<String, Integer> ids = new HashMap<>();
    private final Cascade cascade;

    RankIds(Cascade cascade) {
        this.cascade = cascade;
        for (RankDecl r : cascade.ranks().values()) {
            if (!r.isParameter()) {
                ids.put(r.name(), ids.size());
            }
        }
    }

    int id(String rank) {
        Integer id = ids.get(rank);
        if (id == null) {
            throw new IllegalArgumentException("not a rank: " + rank);
        }
        return id;
    }

    int count() {
        return ids.size();
    }

    /**
     * Adds a partitioned rank's whole index, which the Einsum does not iterate, to a linear form
     * over its parts: {@code coeff * m = coeff * (m1 * M0 + m0)}.
     */
    void addWholeAsParts(String whole, long coeff, long[] coef, Map<String, Long> sizes) {
        for (Partition p : cascade.partitions()) {
            if (p.whole().equals(whole)) {
                long multiplier = coeff;
                for (int k = p.parts().size() - 1; k >= 0; k--) {
                    coef[id(p.parts().get(k))] += multiplier;
                    multiplier *= sizes.get(p.parts().get(k));
                }
                return;
            }
        }
        throw new IllegalArgumentException("rank " + whole + " is not partitioned");
    }
}
