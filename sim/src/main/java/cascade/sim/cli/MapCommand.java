package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "map", mixinStandardHelpOptions = true,
    description = "Search mappings of one Einsum onto one compute unit; print the best and write the winner as mapping YAML.",
    footer = {"", "Examples:",
        "  ./cascade map --cascade attention-1pass --bind P=4096,M=4096,E=64,F=64 --arch fusemax --einsum QK --unit PE2D",
        "  ./cascade map --cascade my.cas --arch my-arch.yaml --einsum C --unit PE --strategy exhaustive --out best.yaml"})
final class MapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cascade", required = true, description = "a cascade file or library name")
    String cascade;

    @Option(names = "--bind", paramLabel = "NAME=SIZE,…", description = "rank and parameter sizes")
    String bind;

    @Option(names = "--arch", required = true, paramLabel = "PRESET|FILE", description = "the architecture")
    String arch;

    @Option(names = "--einsum", required = true, description = "the output tensor of the Einsum to map")
    String einsum;

    @Option(names = "--unit", required = true, description = "the compute unit to map it onto")
    String unit;

    @Option(names = "--objective", defaultValue = "cycles", description = "cycles, energy or edp (default ${DEFAULT-VALUE})")
    String objective;

    @Option(names = "--strategy", defaultValue = "local", description = "exhaustive, random or local (default ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--samples", defaultValue = "200000", description = "random samples, or local-search steps in all (default ${DEFAULT-VALUE})")
    long samples;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "search threads (default: all processors)")
    Integer threads;

    @Option(names = "--top", defaultValue = "5", description = "how many of the best to print (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--out", paramLabel = "FILE.yaml", description = "write the best mapping here (atomically)")
    Path out;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
    Output.Format format;

    @Override
    public Integer call() throws Exception {
        Cascade c = Inputs.cascade(cascade, new SourcePos("--cascade", 1, 1));
        c = c.withParameters(Inputs.reals(bind, c));
        Map<String, Long> sizes = c.sizes(Inputs.bindings(bind, c));
        Architecture a = ArchCommand.resolve(arch);
        Inputs.computedBy(c, einsum);
        if (a.compute(unit) == null) {
            throw new InvalidInputException(new SourcePos("--unit", 1, 1), "unknown compute unit '" + unit + "' in " + a.name());
        }
        Mapper.Objective obj = switch (objective) {
            case "cycles" -> Mapper.Objective.CYCLES;
            case "energy" -> Mapper.Objective.ENERGY;
            case "edp" -> Mapper.Objective.EDP;
            default -> throw new InvalidInputException(new SourcePos("--objective", 1, 1),
                "expected cycles, energy or edp, found '" + objective + "'");
        };
        Mapper.Strategy s = switch (strategy) {
            case "exhaustive" -> new Mapper.Exhaustive();
            case "random" -> new Mapper.Random(samples, seed);
            case "local" -> new Mapper.LocalSearch(Math.max(1, samples / 1000), 1000, seed);
            default -> throw new InvalidInputException(new SourcePos("--strategy", 1, 1),
                "expected exhaustive, random or local, found '" + strategy + "'");
        };
        Mapper mapper;
        try {
            mapper = new Mapper(c, sizes, a, einsum, unit, obj);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(new SourcePos("--unit", 1, 1), e.getMessage());
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Mapper.Result r = mapper.search(s, n, Math.max(1, top));
        if (r.best().isEmpty()) {
            spec.commandLine().getErr().println("cascade: no mapping of " + einsum + " fits unit " + unit + " of " + a.name());
            return 1;
        }
        if (out != null) {
            Mapping best = new Mapping(c.name() + "-" + einsum + "-" + unit, out.toString(), List.of(r.best().getFirst().mapping()));
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmp, MappingWriter.yaml(best), StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (format == Output.Format.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("evaluated", r.evaluated());
            json.put("skipped", r.skipped());
            json.put("evaluationsPerSecond", r.evaluationsPerSecond());
            List<Map<String, Object>> best = new ArrayList<>();
            for (Mapper.Ranked x : r.best()) {
                best.add(Map.of("score", x.score(), "cycles", x.estimate().cycles(), "utilization", x.estimate().utilization(),
                    "mapping", MappingWriter.yaml(new Mapping("best", "", List.of(x.mapping())))));
            }
            json.put("best", best);
            Output.json(o, json);
            return 0;
        }
        o.printf("%d mappings costed (%d skipped) in %.2f s, %.0f per second%n", r.evaluated(), r.skipped(), r.seconds(),
            r.evaluationsPerSecond());
        List<List<String>> rows = new ArrayList<>();
        for (Mapper.Ranked x : r.best()) {
            rows.add(List.of(String.format("%.4g", x.score()), Long.toString(x.estimate().cycles()),
                String.format("%.4g", x.estimate().totalEnergyPj()), String.format("%.3f", x.estimate().utilization())));
        }
        Output.table(o, List.of(objective, "cycles", "energy pJ", "utilization"), rows);
        o.println();
        o.print(MappingWriter.yaml(new Mapping("best", "", List.of(r.best().getFirst().mapping()))));
        return 0;
    }
}
