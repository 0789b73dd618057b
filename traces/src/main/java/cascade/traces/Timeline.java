package cascade.traces;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A timeline: named slices of cycles on tracks. Written as trace-event JSON (complete events,
 * {@code ph: "X"}, one thread per track, timestamps in microseconds at the clock given, so the
 * Perfetto UI shows real time) or as CSV in cycles. Files are written whole or not at all.
 */
public final class Timeline {
    /** One slice: {@code track} busy with {@code name} from cycle {@code start} for {@code cycles}. */
    public record Slice(String track, String name, long start, long cycles) {
    }

    private final String process;
    private final double clockHz;
    private final List<Slice> slices = new ArrayList<>();
    private final Map<String, Integer> tracks = new LinkedHashMap<>();
    private final long limit;

    /** @param limit the most slices it keeps; {@link #add} refuses beyond it */
    public Timeline(String process, double clockHz, long limit) {
        this.process = process;
        this.clockHz = clockHz;
        this.limit = limit;
    }

    /** Declares a track so that it is shown (in this order) even if nothing happens on it. */
    public void track(String name) {
        tracks.computeIfAbsent(name, k -> tracks.size() + 1);
    }

    /** @throws IllegalStateException past the limit (a timeline too long to write) */
    public void add(String track, String name, long start, long cycles) {
        if (slices.size() >= limit) {
            throw new IllegalStateException("the timeline passed " + limit + " slices");
        }
        track(track);
        slices.add(new Slice(track, name, start, cycles));
    }

    public List<Slice> slices() {
        return List.copyOf(slices);
    }

    /** Cycles each track was busy. */
    public Map<String, Long> busyCycles() {
        Map<String, Long> busy = new LinkedHashMap<>();
        tracks.keySet().forEach(t -> busy.put(t, 0L));
        for (Slice s : slices) {
            busy.merge(s.track(), s.cycles(), Long::sum);
        }
        return busy;
    }

    public void writeTraceEvents(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                double usPerCycle = 1e6 / clockHz;
                g.writeStartObject();
                g.writeStringField("displayTimeUnit", "ns");
                g.writeArrayFieldStart("traceEvents");
                g.writeStartObject();
                g.writeStringField("ph", "M");
                g.writeStringField("name", "process_name");
                g.writeNumberField("pid", 1);
                g.writeNumberField("tid", 0);
                g.writeObjectFieldStart("args");
                g.writeStringField("name", process);
                g.writeEndObject();
                g.writeEndObject();
                for (var t : tracks.entrySet()) {
                    g.writeStartObject();
                    g.writeStringField("ph", "M");
                    g.writeStringField("name", "thread_name");
                    g.writeNumberField("pid", 1);
                    g.writeNumberField("tid", t.getValue());
                    g.writeObjectFieldStart("args");
                    g.writeStringField("name", t.getKey());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                for (Slice s : slices) {
                    g.writeStartObject();
                    g.writeStringField("ph", "X");
                    g.writeStringField("name", s.name());
                    g.writeNumberField("pid", 1);
                    g.writeNumberField("tid", tracks.get(s.track()));
                    g.writeNumberField("ts", s.start() * usPerCycle);
                    g.writeNumberField("dur", s.cycles() * usPerCycle);
                    g.writeObjectFieldStart("args");
                    g.writeNumberField("startCycle", s.start());
                    g.writeNumberField("cycles", s.cycles());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    public void writeCsv(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
                 CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
                p.printRecord("track", "name", "startCycle", "cycles");
                for (Slice s : slices) {
                    p.printRecord(s.track(), s.name(), s.start(), s.cycles());
                }
            }
        });
    }
}
