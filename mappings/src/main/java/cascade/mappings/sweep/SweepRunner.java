package cascade.mappings.sweep;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Runs a {@link Sweep}: one CSV row per point. Finished rows are appended, one whole line per
 * write and forced to disk, to {@code OUT.partial}; a run that is killed and started again keeps
 * every complete line (a line cut short by the kill is dropped) and evaluates only the rest. At
 * the end the rows are sorted by point, the Pareto front over cycles and energy is marked, and
 * the CSV is written to a temporary file and moved into place, so {@code OUT} is complete or absent.
 * Each point's search is seeded and single-threaded, so a row is the same however the run went.
 */
public final class SweepRunner {
    private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
    private final SweepPlan sweep;
    private final List<String> header;

    public SweepRunner(SweepPlan sweep) {
        this.sweep = sweep;
        this.header = new ArrayList<>(List.of("point"));
        header.addAll(sweep.columns());
    }

    /** What a run did: points evaluated now, points kept from an earlier run. */
    public record Outcome(long evaluated, long resumed, Path output) {
    }

    public Outcome run(Path out, int threads, boolean progress) throws IOException, InterruptedException {
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        TreeMap<Long, List<String>> done = readPartial(partial);
        long resumed = done.size();
        if (!Files.exists(partial)) {
            appendLine(partial, csvLine(header));
        }
        List<Long> todo = new ArrayList<>();
        for (long id = 0; id < sweep.points(); id++) {
            if (!done.containsKey(id)) {
                todo.add(id);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName(sweep.name()).setInitialMax(sweep.points())
            .setStyle(ProgressBarStyle.ASCII).startsFrom(resumed, java.time.Duration.ZERO).showSpeed().build() : null;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (long id : todo) {
                futures.add(pool.submit(() -> {
                    List<String> row = evaluate(id);
                    synchronized (this) {
                        appendLine(partial, csvLine(row));
                        done.put(id, row);
                    }
                    if (bar != null) {
                        bar.step();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            if (bar != null) {
                bar.close();
            }
        }
        writeFinal(out, done);
        Files.deleteIfExists(partial);
        return new Outcome(todo.size(), resumed, out);
    }

    private List<String> evaluate(long id) {
        List<String> row = new ArrayList<>();
        row.add(Long.toString(id));
        row.addAll(sweep.evaluate(id));
        return row;
    }

    /** Complete lines of an earlier run's partial file; the last line counts only if it ended. */
    private TreeMap<Long, List<String>> readPartial(Path partial) throws IOException {
        TreeMap<Long, List<String>> done = new TreeMap<>();
        if (!Files.exists(partial)) {
            return done;
        }
        String text = Files.readString(partial, StandardCharsets.UTF_8);
        int lastNewline = text.lastIndexOf('\n');
        String complete = lastNewline < 0 ? "" : text.substring(0, lastNewline + 1);
        if (complete.length() != text.length()) {
            Files.writeString(partial, complete, StandardCharsets.UTF_8); // drop the line the kill cut short
        }
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(complete)).setFormat(CSV).get()) {
            boolean first = true;
            for (CSVRecord r : parser) {
                List<String> values = r.toList();
                if (first) {
                    if (!values.equals(header)) {
                        throw new IllegalStateException(partial + " is from a different sweep (its columns differ); "
                            + "remove it to start again");
                    }
                    first = false;
                    continue;
                }
                if (values.size() == header.size()) {
                    done.put(Long.parseLong(values.getFirst()), values);
                }
            }
        }
        return done;
    }

    /** Writes finished rows (point first, in point order) as this sweep's CSV, Pareto marked, atomically. */
    public void writeResults(Path out, List<List<String>> rows) throws IOException {
        Map<Long, List<String>> byPoint = new TreeMap<>();
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException("a row of " + r.size() + " values; the sweep has " + header.size() + " columns");
            }
            if (byPoint.put(Long.parseLong(r.getFirst()), r) != null) {
                throw new IllegalStateException("point " + r.getFirst() + " came back twice");
            }
        }
        if (byPoint.size() != sweep.points()) {
            throw new IllegalStateException(byPoint.size() + " of " + sweep.points() + " points came back");
        }
        writeFinal(out, byPoint);
    }

    private void writeFinal(Path out, Map<Long, List<String>> rows) throws IOException {
        List<List<String>> sorted = new ArrayList<>(rows.values());
        StringWriter text = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(text, CSV)) {
            List<String> h = new ArrayList<>(header);
            h.add("pareto");
            printer.printRecord(h);
            for (List<String> row : sorted) {
                List<String> r = new ArrayList<>(row);
                r.add(Boolean.toString(onParetoFront(row, sorted)));
                printer.printRecord(r);
            }
        }
        cascade.traces.AtomicFiles.writeString(out, text.toString());
    }

    /** No other comparable point is at least as good in every objective and better in one. */
    private boolean onParetoFront(List<String> row, List<List<String>> all) {
        List<Integer> at = sweep.objectives().stream().map(header::indexOf).toList();
        if (at.stream().anyMatch(i -> row.get(i).isEmpty())) {
            return false;
        }
        for (List<String> other : all) {
            if (other == row || at.stream().anyMatch(i -> other.get(i).isEmpty())) {
                continue;
            }
            boolean comparable = true;
            for (String column : sweep.paretoWithin()) {
                int c = header.indexOf(column);
                comparable &= row.get(c).equals(other.get(c));
            }
            if (!comparable) {
                continue;
            }
            boolean noWorse = true;
            boolean better = false;
            for (int i : at) {
                double mine = Double.parseDouble(row.get(i));
                double theirs = Double.parseDouble(other.get(i));
                noWorse &= theirs <= mine;
                better |= theirs < mine;
            }
            if (noWorse && better) {
                return false;
            }
        }
        return true;
    }

    private static String csvLine(List<String> values) {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSV)) {
            p.printRecord(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** One line in one write, forced to disk: a kill leaves whole lines and at most one cut last line. */
    private static void appendLine(Path file, String line) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
