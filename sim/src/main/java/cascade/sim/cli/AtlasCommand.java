package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.einsum.TensorDecl;
import cascade.einsum.analysis.Analysis;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.spec.Design;
import cascade.sim.report.Report;
import cascade.traces.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Every library cascade in one table: its paper, passes, dense and effectual work, footprint and
 * compulsory traffic at one sequence length, and what the analytical model says it costs on each
 * preset design, with plots of work against length per family and of passes against footprint.
 * The same lowering and closed form as {@code estimate}; a cascade a design cannot map says why.
 */
@Command(name = "atlas", mixinStandardHelpOptions = true,
    description = "The attention atlas: every library cascade's paper, passes, work, footprint, traffic and cost per design.",
    footer = {"", "The page also writes its table as CSV beside it (atlas.csv for atlas.html).", "",
        "Examples:", "  ./cascade atlas --out atlas.html", "  ./cascade atlas --format csv --out atlas.csv --seq 16K --designs fusemax,flat"})
final class AtlasCommand implements Callable<Integer> {
    private static final List<Long> LENGTHS = List.of(1024L, 4096L, 16384L, 65536L);

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "atlas.html", paramLabel = "FILE",
        description = "the page (html; its PNGs go to FILE-plots/) or the table (csv) (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--format", defaultValue = "html", description = "html or csv (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--seq", defaultValue = "4096", description = "the sequence length of the table (default ${DEFAULT-VALUE})")
    long seq;

    @Option(names = "--designs", split = ",", paramLabel = "NAME", description = "the preset designs to cost on (default: all)")
    List<String> designsWanted;

    @Option(names = "--threads", description = "cascades costed at once (default: all processors)")
    Integer threads;

    /** One design's figures for a cascade, or why it could not map it. */
    record Cost(long cycles, double energyPj, double dramBytes, String refusal) {
    }

    record Row(String name, String family, String paper, int passes, long denseFlops, long effectualFlops, long footprint,
               long compulsoryBytes, Map<String, Cost> costs) {
    }

    @Override
    public Integer call() throws IOException {
        if (!format.equals("html") && !format.equals("csv")) {
            throw new InvalidInputException(new SourcePos("--format", 1, 1), "expected html or csv, found '" + format + "'");
        }
        if (!out.toString().endsWith("." + format)) {
            throw new InvalidInputException(new SourcePos("--out", 1, 1), "the " + format + " file's name ends in ." + format);
        }
        if (seq < 1024 || Long.bitCount(seq) != 1) {
            throw new InvalidInputException(new SourcePos("--seq", 1, 1), "a power of two of at least 1K, so every "
                + "cascade's blocks divide it; found " + seq);
        }
        Inputs.inExistingFolder(out, "--out");
        List<String> designs = designsWanted == null ? Design.presetNames() : designsWanted;
        for (int i = 0; i < designs.size(); i++) {
            if (!Design.presetNames().contains(designs.get(i))) {
                throw new InvalidInputException(new SourcePos("--designs", 1, 1), "no design preset '" + designs.get(i)
                    + "'; presets: " + String.join(", ", Design.presetNames()));
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        List<String> names = CascadeLibrary.names();
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (workers < 1) {
            throw new InvalidInputException(new SourcePos("--threads", 1, 1), "must be positive");
        }
        // Each cascade is independent: cost them side by side, each worker with its own lowering (and mapper cache).
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        List<Row> rows;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(workers)) {
            List<java.util.concurrent.Future<Row>> futures = new ArrayList<>();
            for (String name : names) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    Row r = row(name, designs, Lowering.standard());
                    if (!CascadeCommand.quiet()) {
                        synchronized (err) {
                            err.printf("atlas: [%d/%d] %s (%.1f s)%n", done.incrementAndGet(), names.size(), name,
                                (System.nanoTime() - t0) / 1e9);
                            err.flush();
                        }
                    }
                    return r;
                }));
            }
            rows = new ArrayList<>();
            for (var f : futures) {
                rows.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        if (format.equals("csv")) {
            AtomicFiles.writeString(out, csv(rows, designs));
        } else {
            String table = out.getFileName().toString().replaceAll("\\.html$", ".csv");
            AtomicFiles.writeString(out.resolveSibling(table), csv(rows, designs));
            String base = out.getFileName().toString();
            Report page = new Report(out.toAbsolutePath().resolveSibling(base.substring(0, base.length() - 5) + "-plots"));
            plots(page, rows);
            page.note("Every cascade of the library at sequence length " + seq + " (" + names.size() + " cascades; "
                + rows.stream().filter(r -> r.paper() != null).count() + " name a paper). Work is counted by the analyses "
                + "(flops: a MAC is two); effectual work leaves out what masks and selections make null. Cycles and energy "
                + "are the analytical model's (estimate), one head, on each preset design; a cascade a design cannot map "
                + "says why. Reproduce: ./cascade atlas --seq " + seq + "; the same table as CSV: " + table + ".");
            page.table("The atlas at " + seq + " tokens", header(designs), rows.stream().map(r -> cells(r, designs)).toList());
            AtomicFiles.writeString(out, page.html("Cascade attention atlas"));
        }
        spec.commandLine().getOut().printf("wrote %s (%d cascades)%n", out, rows.size());
        return 0;
    }

    private Row row(String name, List<String> designs, Lowering lowering) {
        Cascade c = CascadeLibrary.load(name);
        Map<String, Long> bindings = CascadeLibrary.atLength(name, seq);
        Map<String, Long> sizes = c.sizes(bindings);
        Analysis a = Analysis.of(c, sizes, passRank(c));
        long bytes = 0;
        for (TensorDecl t : c.tensors().values()) {
            if (t.role() != TensorDecl.Role.INTERMEDIATE) {
                bytes += t.elements(sizes) * t.type().bytes();
            }
        }
        Map<String, Cost> costs = new LinkedHashMap<>();
        for (String d : designs) {
            costs.put(d, cost(d, c, bindings, lowering)); // bindings, not sizes: a design's tiles re-derive the parts
        }
        return new Row(name, CascadeLibrary.family(name), c.paper(), a.passes(), a.flops(), Analysis.flops(a.effectualOps()),
            a.footprintElements(), bytes, costs);
    }

    /** The rank whose passes matter: the sequence (keys) rank the index names first. */
    private static String passRank(Cascade c) {
        for (String r : List.of("M", "T", "B")) {
            if (c.ranks().containsKey(r)) {
                return r;
            }
        }
        return c.ranks().keySet().iterator().next();
    }

    private static Cost cost(String design, Cascade c, Map<String, Long> sizes, Lowering lowering) {
        try {
            Design d = Design.preset(design).withCascade(c);
            var report = ClosedForm.INSTANCE.cost(lowering.lower(d, sizes, 1));
            return new Cost(report.cycles(), report.energyPj(), report.dramBytes(), null);
        } catch (InvalidInputException e) {
            return new Cost(0, 0, 0, e.diagnostics().getFirst().message());
        } catch (IllegalArgumentException e) { // Design.withCascade: no unit has the operators an Einsum needs
            return new Cost(0, 0, 0, e.getMessage());
        }
    }

    private void plots(Report page, List<Row> rows) throws IOException {
        Map<String, Map<String, List<double[]>>> byFamily = new TreeMap<>();
        Map<String, List<double[]>> passesByFootprint = new TreeMap<>();
        for (String name : CascadeLibrary.names()) {
            Cascade c = CascadeLibrary.load(name);
            List<double[]> work = new ArrayList<>();
            for (long n : LENGTHS) {
                Map<String, Long> sizes = c.sizes(CascadeLibrary.atLength(name, n));
                work.add(new double[] {n, Analysis.flops(Analysis.of(c, sizes, passRank(c)).effectualOps())});
            }
            byFamily.computeIfAbsent(CascadeLibrary.family(name), k -> new TreeMap<>()).put(name, work);
        }
        for (Row r : rows) {
            passesByFootprint.computeIfAbsent(r.family(), k -> new ArrayList<>())
                .add(new double[] {Math.max(1, r.footprint()), r.passes()});
        }
        for (var f : byFamily.entrySet()) {
            page.lines("work-" + f.getKey(), "Effectual work against sequence length: " + f.getKey() + " cascades",
                "sequence length", "effectual flops", f.getValue());
        }
        page.scatter("passes-footprint", "Passes against live footprint at " + seq + " tokens, by family",
            "live intermediate footprint (elements)", "passes over the sequence", passesByFootprint);
    }

    private static List<String> header(List<String> designs) {
        List<String> h = new ArrayList<>(List.of("cascade", "family", "paper", "passes", "dense flops", "effectual flops",
            "footprint", "compulsory bytes"));
        for (String d : designs) {
            h.add(d + " cycles");
            h.add(d + " energy pJ");
        }
        return h;
    }

    private static List<String> cells(Row r, List<String> designs) {
        List<String> c = new ArrayList<>(List.of(r.name(), r.family(), r.paper() == null ? "—" : r.paper(),
            Integer.toString(r.passes()), Output.si(r.denseFlops()), Output.si(r.effectualFlops()), Output.si(r.footprint()),
            Output.si(r.compulsoryBytes())));
        for (String d : designs) {
            Cost k = r.costs().get(d);
            c.add(k.refusal() != null ? "— (" + k.refusal() + ")" : Output.si(k.cycles()));
            c.add(k.refusal() != null ? "—" : String.format(Locale.ROOT, "%.3g", k.energyPj()));
        }
        return c;
    }

    private String csv(List<Row> rows, List<String> designs) throws IOException {
        StringWriter w = new StringWriter();
        List<String> h = new ArrayList<>(List.of("cascade", "family", "paper", "seq", "passes", "denseFlops", "effectualFlops",
            "footprintElements", "compulsoryBytes"));
        for (String d : designs) {
            h.addAll(List.of(d + "Cycles", d + "EnergyPj", d + "DramBytes", d + "Refusal"));
        }
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(h.toArray(String[]::new)).get())) {
            for (Row r : rows) {
                List<Object> v = new ArrayList<>(List.of(r.name(), r.family(), r.paper() == null ? "" : r.paper(), seq,
                    r.passes(), r.denseFlops(), r.effectualFlops(), r.footprint(), r.compulsoryBytes()));
                for (String d : designs) {
                    Cost k = r.costs().get(d);
                    boolean ok = k.refusal() == null;
                    v.addAll(List.of(ok ? k.cycles() : "", ok ? k.energyPj() : "", ok ? k.dramBytes() : "",
                        ok ? "" : k.refusal()));
                }
                p.printRecord(v);
            }
        }
        return w.toString();
    }
}
