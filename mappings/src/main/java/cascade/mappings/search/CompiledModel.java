package cascade.mappings.search;

import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.spec.MappingValidator;

import cascade.einsum.Einsum;
import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link AnalyticalModel}'s rules for one Einsum on one unit, compiled to arrays so the mapper
 * can cost hundreds of thousands of candidates a second. A candidate is {@code factors[rank][slot]}
 * (slots: a temporal loop per level, outermost first, then rows and columns of the fan-out at
 * level {@code fan}, whose children are the PEs) and, per level, the order of its loops (rank indices, outer to
 * inner). {@code MapperTest} checks it agrees with {@link AnalyticalModel} exactly.
 */
final class CompiledModel implements Mapper.CandidateModel {
    final int ranks;
    final int levels;
    private final int fan;
    private final boolean[][] inTensor; // [tensor][rank]
    private final int output;
    private final int[] home; // per tensor: the level it stays at or below (0: none)
    private final double[] capacity;
    private final double[] bandwidth;
    private final long[] instances;
    private final double[] readPj;
    private final double[] writePj;
    private final double opPjPerPoint;
    private final int unitPes;
    private final int issue;

    CompiledModel(Einsum e, ComputeArray unit, Architecture arch, List<String> rankNames, List<String> levelNames,
                  int fan, Map<String, String> resident) {
        this.ranks = rankNames.size();
        this.levels = levelNames.size();
        this.fan = fan;
        Map<String, Set<String>> tensors = MappingValidator.tensorRanks(e);
        List<String> names = new ArrayList<>(tensors.keySet());
        inTensor = new boolean[names.size()][ranks];
        for (int t = 0; t < names.size(); t++) {
            for (int r = 0; r < ranks; r++) {
                inTensor[t][r] = tensors.get(names.get(t)).contains(rankNames.get(r));
            }
        }
        output = names.indexOf(e.output());
        home = new int[names.size()];
        for (int t = 0; t < names.size(); t++) {
            String level = resident.get(names.get(t));
            home[t] = level == null ? 0 : Math.max(0, levelNames.indexOf(level));
        }
        capacity = new double[levels];
        bandwidth = new double[levels];
        instances = new long[levels];
        readPj = new double[levels];
        writePj = new double[levels];
        EnergyAccountant prices = new EnergyAccountant(arch);
        for (int l = 0; l < levels; l++) {
            StorageLevel s = arch.storage(levelNames.get(l));
            capacity[l] = s.capacityWords();
            bandwidth[l] = s.bandwidthWordsPerCycle();
            instances[l] = s.instances();
            readPj[l] = prices.pjEach(s.name(), ActionCounts.READ);
            writePj[l] = prices.pjEach(s.name(), ActionCounts.WRITE);
        }
        double op = 0;
        for (String o : MappingValidator.requiredOps(e)) {
            op += prices.pjEach(unit.name(), o);
        }
        opPjPerPoint = op;
        unitPes = unit.pes();
        issue = unit.issueCycles(MappingValidator.requiredOps(e));
    }

    /** Slot of the array's rows and columns. */
    int rowsSlot() {
        return levels;
    }

    int colsSlot() {
        return levels + 1;
    }

    /** The innermost bounded level whose tiles exceed its capacity, or -1. */
    int innermostOverflow(long[][] f) {
        for (int l = levels - 1; l >= 0; l--) {
            if (Double.isInfinite(capacity[l])) {
                continue;
            }
            long words = 0;
            for (boolean[] in : inTensor) {
                words += tile(f, in, l, fan);
            }
            if (words > capacity[l]) {
                return l;
            }
        }
        return -1;
    }

    @Override
    public Cost cost(long[][] f, int[][] order) {
        long points = 1;
        long temporal = 1;
        long pes = 1;
        for (int r = 0; r < ranks; r++) {
            for (int s = 0; s < levels + 2; s++) {
                points *= f[r][s];
            }
            for (int l = 0; l < levels; l++) {
                temporal *= f[r][l];
            }
            pes *= f[r][rowsSlot()] * f[r][colsSlot()];
        }
        if (innermostOverflow(f) >= 0) {
            return new Cost(0, 0, false);
        }
        long[] reads = new long[levels];
        long[] writes = new long[levels];
        long innermostOutputPartition = points;
        for (int c = 1; c < levels; c++) {
            for (int t = 0; t < inTensor.length; t++) {
                if (home[t] >= c) {
                    continue;
                }
                boolean[] in = inTensor[t];
                long tile = tile(f, in, c, fan);
                // Temporal loops above c, outermost first: levels 0..c-1 in their orders.
                int innermostUsed = -1; // position (level, index) flattened
                long all = 1;
                long distinct = 1;
                int count = 0;
                for (int l = 0; l < c; l++) {
                    for (int rank : order[l]) {
                        count++;
                        if (in[rank]) {
                            innermostUsed = count;
                        }
                    }
                }
                int at = 0;
                for (int l = 0; l < c; l++) {
                    for (int rank : order[l]) {
                        at++;
                        if (at <= innermostUsed) {
                            all *= f[rank][l];
                        }
                        if (in[rank]) {
                            distinct *= f[rank][l];
                        }
                    }
                }
                long spread = 1;
                long receivers = 1;
                if (fan >= 0 && fan < c) {
                    for (int r = 0; r < ranks; r++) {
                        long across = f[r][rowsSlot()] * f[r][colsSlot()];
                        receivers *= across;
                        if (in[r] || fan < c - 1) { // a parent below the fan-out is one per PE: no multicast
                            spread *= across;
                        }
                    }
                }
                if (t == output) {
                    long refetched = all - distinct;
                    writes[c - 1] += all * spread * tile;
                    reads[c - 1] += refetched * spread * tile;
                    writes[c] += refetched * receivers * tile;
                    reads[c] += all * receivers * tile; // the drain, under AnalyticalModel.Counting.CASCADE
                    if (c == levels - 1) {
                        innermostOutputPartition = distinct * receivers * tile;
                    }
                } else {
                    reads[c - 1] += all * spread * tile;
                    writes[c] += all * receivers * tile;
                }
            }
        }
        reads[levels - 1] += points * (inTensor.length - 1) + points - innermostOutputPartition;
        writes[levels - 1] += points;
        long cycles = temporal * issue;
        double energy = points * opPjPerPoint;
        for (int l = 0; l < levels; l++) {
            double inst = l > fan ? Math.min(instances[l], pes) : 1;
            cycles = Math.max(cycles, (long) Math.ceil((reads[l] + writes[l]) / (bandwidth[l] * inst)));
            energy += reads[l] * readPj[l] + writes[l] * writePj[l];
        }
        return new Cost(cycles, energy, pes <= unitPes);
    }

    private long tile(long[][] f, boolean[] in, int level, int fan) {
        long tile = 1;
        for (int r = 0; r < ranks; r++) {
            if (!in[r]) {
                continue;
            }
            for (int l = level; l < levels; l++) {
                tile *= f[r][l];
            }
            if (fan >= level) {
                tile *= f[r][rowsSlot()] * f[r][colsSlot()];
            }
        }
        return tile;
    }
}
