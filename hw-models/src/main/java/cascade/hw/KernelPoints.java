package cascade.hw;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Kernel calls to time on a device, in the CSV of {@code hw-models/calibration/}: one call a line,
 * the header {@code kind,batch,heads,kvHeads,queryLen,kvLen,headDim,m,n,k,flops,bytes} in any
 * order, optionally {@code medianMs} (a measurement, which the prediction is then held against),
 * lines starting with {@code #} ignored. A kind is {@code prefill} or {@code decode} (one
 * scaled-dot-product attention call) or {@code gemm}. Read with {@code file:line:col} errors.
 */
public record KernelPoints(String file, List<Point> points) {
    public static final List<String> COLUMNS = List.of("kind", "batch", "heads", "kvHeads", "queryLen", "kvLen", "headDim", "m", "n",
        "k", "flops", "bytes");
    public static final String MEASURED = "medianMs";
    public static final List<String> KINDS = List.of("prefill", "decode", "gemm");

    /** One call; the shape columns as written, {@code measuredMs} when the file has {@code medianMs}. */
    public record Point(int line, String kind, long batch, long heads, long kvHeads, long queryLen, long kvLen, int headDim, long m,
                        long n, long k, double flops, double bytes, OptionalDouble measuredMs) {
        public boolean attention() {
            return !kind.equals("gemm");
        }
    }

    public static KernelPoints parse(String file, String text) {
        List<String> lines = text.lines().toList();
        int headerLine = 0;
        while (headerLine < lines.size() && (lines.get(headerLine).startsWith("#") || lines.get(headerLine).isBlank())) {
            headerLine++;
        }
        if (headerLine == lines.size()) {
            throw new InvalidInputException(new SourcePos(file, 1, 1), "no header: kernel points start with the columns "
                + String.join(",", COLUMNS));
        }
        List<String> header = List.of(lines.get(headerLine).strip().split(",", -1));
        for (String c : COLUMNS) {
            if (!header.contains(c)) {
                throw new InvalidInputException(new SourcePos(file, headerLine + 1, 1), "the header has no column '" + c
                    + "'; kernel points have the columns " + String.join(",", COLUMNS) + " (and " + MEASURED + " if measured)");
            }
        }
        for (int i = 0; i < header.size(); i++) {
            if (!COLUMNS.contains(header.get(i)) && !header.get(i).equals(MEASURED) || header.indexOf(header.get(i)) != i) {
                throw new InvalidInputException(SourcePos.ofField(file, headerLine + 1, header.toArray(String[]::new), i),
                    (header.indexOf(header.get(i)) != i ? "column '" + header.get(i) + "' appears twice" : "unknown column '"
                        + header.get(i) + "'") + "; kernel points have the columns " + String.join(",", COLUMNS)
                        + " (and " + MEASURED + " if measured)");
            }
        }
        List<Point> points = new ArrayList<>();
        for (int n = headerLine + 2; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Row row = new Row(file, n, line.split(",", -1), header);
            if (row.fields.length != header.size()) {
                throw new InvalidInputException(new SourcePos(file, n, 1), "expected " + header.size() + " columns, found "
                    + row.fields.length);
            }
            points.add(row.point());
        }
        if (points.isEmpty()) {
            throw new InvalidInputException(new SourcePos(file, headerLine + 1, 1), "the file has no kernel points");
        }
        return new KernelPoints(file, List.copyOf(points));
    }

    private record Row(String file, int line, String[] fields, List<String> header) {
        Point point() {
            String kind = text("kind");
            if (!KINDS.contains(kind)) {
                throw error("kind", "kind must be one of " + String.join(", ", KINDS) + ", found '" + kind + "'");
            }
            boolean attention = !kind.equals("gemm");
            long headDim = whole("headDim", attention ? 1 : 0);
            double flops = number("flops");
            double bytes = number("bytes");
            if (!(flops > 0) || !(bytes > 0)) {
                throw error(flops > 0 ? "bytes" : "flops", (flops > 0 ? "bytes" : "flops") + " must be positive");
            }
            OptionalDouble measured = header.contains(MEASURED) ? OptionalDouble.of(number(MEASURED)) : OptionalDouble.empty();
            if (measured.isPresent() && !(measured.getAsDouble() > 0)) {
                throw error(MEASURED, MEASURED + " must be positive");
            }
            if (headDim > Integer.MAX_VALUE) {
                throw error("headDim", "headDim is too large");
            }
            return new Point(line, kind, whole("batch", 0), whole("heads", 0), whole("kvHeads", 0), whole("queryLen", 0),
                whole("kvLen", attention ? 1 : 0), (int) headDim, whole("m", 0), whole("n", 0), whole("k", 0), flops, bytes, measured);
        }

        String text(String column) {
            return fields[header.indexOf(column)].strip();
        }

        double number(String column) {
            try {
                double v = Double.parseDouble(text(column));
                if (Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error(column, column + " is not a number: '" + text(column) + "'");
        }

        long whole(String column, long least) {
            double v = number(column);
            if (v != Math.rint(v) || v < least || v > Long.MAX_VALUE / 2) {
                throw error(column, column + " must be a whole number of at least " + least + ", found " + text(column));
            }
            return (long) v;
        }

        InvalidInputException error(String column, String message) {
            return new InvalidInputException(SourcePos.ofField(file, line, fields, header.indexOf(column)), message);
        }
    }
}
