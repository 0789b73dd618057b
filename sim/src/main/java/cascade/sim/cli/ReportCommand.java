package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import cascade.mappings.spec.Design;
import cascade.sim.report.Report;
import cascade.traces.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Turn a sweep or demo CSV, or a simulation JSON, into a self-contained HTML page of plots (SVG inline, "
        + "PNG beside it).",
    footer = {"", "Examples:", "  ./cascade report demo-out/results.csv --out demo-report.html",
        "  ./cascade sim --design fusemax --workload bert --seq 4096 --format json > sim.json",
        "  ./cascade sim --design fusemax --workload bert --seq 1024 --batch 1 --trace t.csv > /dev/null",
        "  ./cascade report sim.json --timeline t.csv --out sim.html"})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RESULTS", description = "a CSV (sweep, demo) or a JSON (sim, compare)")
    Path results;

    @Option(names = "--timeline", paramLabel = "FILE.csv", description = "a timeline from sim --trace FILE.csv")
    Path timeline;

    @Option(names = "--out", required = true, paramLabel = "PAGE.html", description = "the page; PNGs go to PAGE-plots/")
    Path out;

    @Override
    public Integer call() throws IOException {
        Inputs.existingFile(results, "RESULTS");
        if (!out.toString().endsWith(".html")) {
            throw new InvalidInputException(new SourcePos("--out", 1, 1), "the page's name ends in .html");
        }
        Inputs.inExistingFolder(out, "--out");
        String name = out.getFileName().toString();
        Path plots = out.toAbsolutePath().resolveSibling(name.substring(0, name.length() - 5) + "-plots");
        Report r = new Report(plots);
        String text = Files.readString(results, StandardCharsets.UTF_8);
        try {
            if (results.toString().endsWith(".json")) {
                r.simulation(text, roofs(text));
            } else {
                r.csv(text);
            }
            if (timeline != null) {
                if (!Files.isRegularFile(timeline)) {
                    throw new InvalidInputException(new SourcePos("--timeline", 1, 1), "no file " + timeline);
                }
                r.timeline(Files.readString(timeline, StandardCharsets.UTF_8), 100);
            }
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(new SourcePos(results.toString(), 1, 1), e.getMessage());
        }
        r.note("From " + results.getFileName() + (timeline == null ? "" : " and " + timeline.getFileName())
            + ". Each plot links its PNG export.");
        AtomicFiles.writeString(out, r.html("Cascade report: " + results.getFileName()));
        spec.commandLine().getOut().printf("wrote %s (%d plots; PNGs in %s)%n", out, r.plots().size(), plots);
        return 0;
    }

    /** The peak operations per second and each level's words per second, where the result names a design preset. */
    private static Map<String, Double> roofs(String json) throws IOException {
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        String design = root.has("design") ? root.get("design").asText() : null;
        if (design == null || !Design.presetNames().contains(design)) {
            return null;
        }
        Architecture a = Design.preset(design).architecture();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("peak", a.compute().stream().mapToDouble(ComputeArray::pes).sum() / a.secondsPerCycle());
        for (StorageLevel l : a.storage()) {
            m.put(l.name(), l.bandwidthWordsPerCycle() * l.instances() / a.secondsPerCycle());
        }
        return m;
    }
}
