package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.hw.ComputeArray;
import cascade.hw.Figure;
import cascade.hw.StorageLevel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "arch", mixinStandardHelpOptions = true, description = "Architecture presets and specs.",
    subcommands = {ArchCommand.ListPresets.class, ArchCommand.Show.class})
final class ArchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Architecture resolve(String word) {
        Path path = Path.of(word);
        if (Files.isRegularFile(path)) {
            try {
                return ArchitectureLoader.load(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + word, e);
            }
        }
        if (ArchitectureLoader.presetNames().contains(word)) {
            return ArchitectureLoader.preset(word);
        }
        throw new InvalidInputException(new SourcePos("<command line>", 1, 1), "no file or architecture preset named '"
            + word + "'; presets: " + String.join(", ", ArchitectureLoader.presetNames()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the architecture presets.",
        footer = {"", "Example:", "  ./cascade arch list"})
    static final class ListPresets implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            List<List<String>> rows = new ArrayList<>();
            for (String name : ArchitectureLoader.presetNames()) {
                rows.add(List.of(name, ArchitectureLoader.preset(name).description()));
            }
            Output.table(spec.commandLine().getOut(), List.of("preset", "description"), rows);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "Print a resolved architecture: every figure as written, in the model's units, and its source.",
        footer = {"", "Examples:", "  ./cascade arch show fusemax", "  ./cascade arch show my-arch.yaml --format json"})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PRESET|FILE", description = "a preset name or a YAML file")
        String arch;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() {
            Architecture a = resolve(arch);
            PrintWriter out = spec.commandLine().getOut();
            List<Figure> all = new ArrayList<>(a.figures());
            a.storage().forEach(s -> all.addAll(s.figures()));
            a.compute().forEach(c -> all.addAll(c.figures()));
            if (format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("architecture", a.name());
                json.put("description", a.description());
                json.put("clockHz", a.clockHz());
                json.put("wordBits", a.wordBits());
                json.put("areaUm2", a.areaUm2());
                json.put("storage", a.storage());
                json.put("compute", a.compute());
                Output.json(out, json);
                return 0;
            }
            out.println(a.name() + " — " + a.description());
            out.printf("  clock %.0f MHz, %.0f nm, %d-bit words, area %.2f mm² (from the areas given)%n", a.clockHz() / 1e6,
                a.technologyNm(), a.wordBits(), a.areaUm2() / 1e6);
            out.println();
            List<List<String>> levels = new ArrayList<>();
            for (StorageLevel s : a.storage()) {
                levels.add(List.of(s.name(), s.kind().name().toLowerCase(java.util.Locale.ROOT),
                    s.unbounded() ? "unbounded" : String.format("%.0f", s.capacityWords()), Integer.toString(s.instances()),
                    String.format("%.2f", s.bandwidthWordsPerCycle()), String.format("%.4f", s.readPjPerWord()),
                    String.format("%.4f", s.writePjPerWord())));
            }
            Output.table(out, List.of("storage (outermost first)", "kind", "words", "instances", "words/cycle",
                "read pJ/word", "write pJ/word"), levels);
            out.println();
            List<List<String>> units = new ArrayList<>();
            for (ComputeArray c : a.compute()) {
                units.add(List.of(c.name(), c.kind().name().toLowerCase(java.util.Locale.ROOT),
                    c.rows() + "x" + c.cols(), c.under(), String.join(" ", c.ops()),
                    String.join(" ", c.energyPj().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue()).toList())));
            }
            Output.table(out, List.of("compute", "kind", "shape", "under", "ops", "pJ per op"), units);
            out.println();
            List<List<String>> rows = new ArrayList<>();
            for (Figure f : all) {
                rows.add(List.of(f.name(), f.written(), f.pos().line() + ":" + f.pos().col(), f.source() == null ? "" : f.source()));
            }
            Output.table(out, List.of("figure", "as written", "at", "source"), rows);
            return 0;
        }
    }
}
