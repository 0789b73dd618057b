package cascade.mappings.timeloop;

import cascade.hw.StorageLevel;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Mapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cascade's mapper on Timeloop's map space: which data spaces each level keeps (every choice the
 * constraints leave open, the outermost level keeping all), and the loop nest — the factors and
 * innermost loops the constraints leave free — searched by {@link Mapper} with candidates scored
 * by Timeloop's own counting ({@link TimeloopModel}) and Timeloop's metrics. A candidate that
 * overfills a level (the data spaces it keeps there, per instance, beyond its depth) does not run.
 */
public final class TimeloopMapper {
    private TimeloopMapper() {
    }

    /**
     * The best mapping, its statistics, and how much of the space was looked at: mappings costed
     * ({@code evaluated}) and those refused before costing ({@code skipped}: a tile a level cannot hold,
     * or more PEs than the array has).
     */
    public record Result(Mapping.EinsumMapping best, TimeloopModel.Stats stats, double score, long keepChoices,
                         long evaluated, long skipped) {
    }

    public static Result search(TimeloopReader.Inputs in, TimeloopReader.MapSpace space, Mapper.Objective objective,
                                Mapper.Strategy strategy, int threads) {
        return search(in, space, objective, strategy, threads, (done, of) -> { });
    }

    /** What a long search reports as it goes: keep choices searched, of how many. */
    public interface Progress {
        void searched(long done, long of);
    }

    /** As {@link #search(TimeloopReader.Inputs, TimeloopReader.MapSpace, Mapper.Objective, Mapper.Strategy, int)}, saying how far it is. */
    public static Result search(TimeloopReader.Inputs in, TimeloopReader.MapSpace space, Mapper.Objective objective,
                                Mapper.Strategy strategy, int threads, Progress progress) {
        List<StorageLevel> levels = in.architecture().storage();
        List<String> spaces = new ArrayList<>(in.cascade().tensors().keySet());
        // The open keep choices: (level, data space) pairs below the outermost level the constraints leave open.
        List<String[]> open = new ArrayList<>();
        for (int i = 1; i < levels.size(); i++) {
            String level = levels.get(i).name();
            for (String t : spaces) {
                if (!space.keep().getOrDefault(level, Set.of()).contains(t)
                    && !space.bypass().getOrDefault(level, Set.of()).contains(t)) {
                    open.add(new String[] {level, t});
                }
            }
        }
        if (open.size() > 20) {
            throw new IllegalArgumentException(open.size() + " open keep-or-bypass choices (2^" + open.size()
                + " sets) are too many to enumerate; constrain some");
        }
        Result best = null;
        long evaluated = 0;
        long skipped = 0;
        for (long choice = 0; choice < 1L << open.size(); choice++) {
            Map<String, Set<String>> keep = new LinkedHashMap<>();
            for (int i = 0; i < levels.size(); i++) {
                Set<String> kept = new LinkedHashSet<>(spaces);
                if (i > 0) {
                    kept.removeAll(space.bypass().getOrDefault(levels.get(i).name(), Set.of()));
                }
                keep.put(levels.get(i).name(), kept);
            }
            for (int k = 0; k < open.size(); k++) {
                if ((choice >> k & 1) == 1) {
                    keep.get(open.get(k)[0]).remove(open.get(k)[1]);
                }
            }
            Result r = searched(in, keep, space.loops(), objective, strategy, threads);
            evaluated += r.evaluated();
            skipped += r.skipped();
            if (r.best() != null && (best == null || r.score() < best.score())) {
                best = r;
            }
            progress.searched(choice + 1, 1L << open.size());
        }
        if (best == null) {
            throw new IllegalArgumentException("no mapping in the space fits the architecture");
        }
        return new Result(best.best(), best.stats(), best.score(), 1L << open.size(), evaluated, skipped);
    }

    private static Result searched(TimeloopReader.Inputs in, Map<String, Set<String>> keep, Mapper.Constraints loops,
                                   Mapper.Objective objective, Mapper.Strategy strategy, int threads) {
        Mapper.CandidateModels timeloop = mapper -> (factors, orders) -> {
            TimeloopModel.Stats s = TimeloopModel.run(with(in, kept(mapper.mappingOf(factors, orders), keep)));
            return new Mapper.CandidateModel.Cost(s.cycles(), s.energyPj(), TimeloopModel.overflowing(in.architecture(), s) == null);
        };
        Mapper mapper = new Mapper(in.cascade(), in.sizes(), in.architecture(), in.einsum(), in.mapping().unit(), objective,
            Map.of(), timeloop, loops);
        Mapper.Result r = mapper.search(strategy, threads, 1);
        if (r.best().isEmpty()) {
            return new Result(null, null, Double.POSITIVE_INFINITY, 1, r.evaluated(), r.skipped());
        }
        Mapping.EinsumMapping m = kept(r.best().getFirst().mapping(), keep);
        TimeloopModel.Stats s = TimeloopModel.run(with(in, m));
        return new Result(m, s, r.best().getFirst().score(), 1, r.evaluated(), r.skipped());
    }

    private static Mapping.EinsumMapping kept(Mapping.EinsumMapping m, Map<String, Set<String>> keep) {
        List<Mapping.LevelLoops> levels = new ArrayList<>();
        for (Mapping.LevelLoops l : m.levels()) {
            levels.add(new Mapping.LevelLoops(l.level(), l.temporal(), l.spatialRows(), l.spatialCols(), keep.get(l.level()),
                l.pos()));
        }
        return new Mapping.EinsumMapping(m.output(), m.unit(), levels, m.pos(), m.unitPos());
    }

    private static TimeloopReader.Inputs with(TimeloopReader.Inputs in, Mapping.EinsumMapping m) {
        return new TimeloopReader.Inputs(in.cascade(), in.sizes(), in.architecture(), m, in.blockWords(), in.leakPj(),
            in.readWriteBandwidth());
    }
}
