package cascade.traces;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Attention-probability traces: one row of probabilities per (step, layer, head) for the query
 * of that step over the keys it sees. Two files: {@code NAME.scores}, binary — the magic bytes
 * {@code CSCT}, a little-endian int32 version (1), then each row's float32 probabilities,
 * little-endian, back to back — and {@code NAME.scores.csv}, the index: one line per row with
 * {@code step,layer,head,length,offset} (offset in bytes into the binary file, rows in file
 * order). Written whole or not at all; read one row at a time, so a trace larger than memory
 * streams.
 */
public final class ScoreTrace {
    private static final byte[] MAGIC = {'C', 'S', 'C', 'T'};
    private static final int VERSION = 1;
    static final List<String> INDEX = List.of("step", "layer", "head", "length", "offset");

    public record Row(int step, int layer, int head, float[] probabilities) {
    }

    private ScoreTrace() {
    }

    public static Path indexOf(Path binary) {
        return binary.resolveSibling(binary.getFileName() + ".csv");
    }

    /** Writes the binary file, then its index; each whole or not at all (the index last, so a reader never sees a half). */
    public static void write(Path binary, Iterable<Row> rows) throws IOException {
        StringWriter index = new StringWriter();
        AtomicFiles.write(binary, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
            try (CSVPrinter csv = new CSVPrinter(index, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
                csv.printRecord(INDEX);
                out.write(MAGIC);
                out.writeInt(Integer.reverseBytes(VERSION));
                long offset = 8;
                for (Row r : rows) {
                    csv.printRecord(r.step(), r.layer(), r.head(), r.probabilities().length, offset);
                    ByteBuffer b = ByteBuffer.allocate(4 * r.probabilities().length).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(r.probabilities());
                    out.write(b.array());
                    offset += 4L * r.probabilities().length;
                }
            }
            out.flush();
        });
        AtomicFiles.writeString(indexOf(binary), index.toString());
    }

    /** A streaming reader: the index is checked up front, then rows are read one at a time. */
    public static final class Reader implements Iterable<Row>, AutoCloseable {
        private final Path binary;
        private final List<CSVRecord> index;

        public Reader(Path binary) throws IOException {
            this.binary = binary;
            Path idx = indexOf(binary);
            if (!Files.isRegularFile(binary) || !Files.isRegularFile(idx)) {
                throw new InvalidInputException(new SourcePos(binary.toString(), 1, 1), "a score trace is two files, "
                    + binary.getFileName() + " and " + idx.getFileName() + "; one is missing");
            }
            try (var parser = org.apache.commons.csv.CSVParser.builder()
                    .setReader(new StringReader(Files.readString(idx, StandardCharsets.UTF_8)))
                    .setFormat(CSVFormat.DEFAULT).get()) {
                index = parser.getRecords();
            }
            if (index.isEmpty() || !index.getFirst().toList().equals(INDEX)) {
                throw new InvalidInputException(new SourcePos(idx.toString(), 1, 1), "the index's header must be "
                    + String.join(",", INDEX));
            }
            long expected = 8;
            long size = Files.size(binary);
            for (int i = 1; i < index.size(); i++) {
                CSVRecord r = index.get(i);
                SourcePos at = new SourcePos(idx.toString(), i + 1, 1);
                if (r.size() != INDEX.size()) {
                    throw new InvalidInputException(at, "expected " + INDEX.size() + " fields, found " + r.size());
                }
                long length;
                long offset;
                try {
                    for (int f = 0; f < 3; f++) {
                        Integer.parseInt(r.get(f));
                    }
                    length = Long.parseLong(r.get(3));
                    offset = Long.parseLong(r.get(4));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(at, "fields must be whole numbers: " + String.join(",", r.toList()));
                }
                if (length < 1 || offset != expected) {
                    throw new InvalidInputException(at, length < 1 ? "a row needs at least one probability"
                        : "offset " + offset + " should be " + expected + " (rows are back to back)");
                }
                expected += 4 * length;
            }
            if (expected != size) {
                throw new InvalidInputException(new SourcePos(binary.toString(), 1, 1), "the binary file has " + size
                    + " bytes; its index describes " + expected);
            }
        }

        public int rows() {
            return index.size() - 1;
        }

        @Override
        public Iterator<Row> iterator() {
            DataInputStream in;
            try {
                InputStream raw = new BufferedInputStream(Files.newInputStream(binary), 1 << 16);
                in = new DataInputStream(raw);
                byte[] magic = new byte[4];
                in.readFully(magic);
                int version = Integer.reverseBytes(in.readInt());
                if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION) {
                    in.close();
                    throw new InvalidInputException(new SourcePos(binary.toString(), 1, 1), "not a version-1 score trace");
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Iterator<>() {
                int next = 1;

                @Override
                public boolean hasNext() {
                    return next < index.size();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    CSVRecord r = index.get(next++);
                    int n = Integer.parseInt(r.get(3));
                    byte[] bytes = new byte[4 * n];
                    try {
                        in.readFully(bytes);
                        if (!hasNext()) {
                            in.close();
                        }
                    } catch (EOFException e) {
                        throw new InvalidInputException(new SourcePos(binary.toString(), 1, 1), "the binary file ends early");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    float[] p = new float[n];
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(p);
                    return new Row(Integer.parseInt(r.get(0)), Integer.parseInt(r.get(1)), Integer.parseInt(r.get(2)), p);
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
