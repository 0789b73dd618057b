package cascade.mappings.spec;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * FLAT's dataflow per workload, in the FuseMax artifact's table ({@code flat-configurations.csv}):
 * for each point (the sizes of its ranks), which tensors stay on chip, whether the score slice is
 * a whole head's or {@code P1} rows', and the share of it that does not fit and spills to DRAM
 * (written once, read back once). A design's group names the table; the lowering takes the row
 * of the workload it lowers, so FLAT's choices per point are the artifact's, not a guess of ours.
 *
 * @param where only rows whose named columns have these values (the artifact's {@code platform})
 */
public record FlatDataflows(String file, Map<String, String> where, List<Row> rows) {

    /** What the table says of one point. {@code onChip}: tensor → on chip (true) or off chip. */
    public record Row(Map<String, Long> sizes, Map<String, Boolean> onChip, boolean rowGranularity, long p1,
                      double spilledShare, SourcePos pos) {
    }

    /** Columns naming a rank's size (the key of a row); the others the table's own. */
    static final List<String> RANKS = List.of("E", "F", "P", "M");

    public static FlatDataflows parse(String file, String text, Map<String, String> where) {
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        try (CSVParser p = CSVParser.parse(new StringReader(text), CSVFormat.DEFAULT.builder().setHeader()
                .setSkipHeaderRecord(true).build())) {
            List<String> header = p.getHeaderNames();
            for (String need : List.of("E", "F", "P", "M", "fusion_granularity", "P1", "proportion_spilled")) {
                if (!header.contains(need)) {
                    throw new InvalidInputException(new SourcePos(file, 1, 1), "no column '" + need + "' in FLAT's dataflow "
                        + "table (columns: " + String.join(", ", header) + ")");
                }
            }
            for (String w : where.keySet()) {
                if (!header.contains(w)) {
                    throw new InvalidInputException(new SourcePos(file, 1, 1), "no column '" + w + "' to select rows by");
                }
            }
            for (CSVRecord r : p) {
                int line = (int) r.getRecordNumber() + 1; // the header is line 1; the table has no comments
                if (!where.entrySet().stream().allMatch(w -> w.getValue().equals(r.get(w.getKey())))) {
                    continue;
                }
                Map<String, Long> sizes = new LinkedHashMap<>();
                for (String rank : RANKS) {
                    sizes.put(rank, whole(file, lines, line, header, rank, r.get(rank)));
                }
                Map<String, Boolean> onChip = new LinkedHashMap<>();
                for (String h : header) {
                    if (h.endsWith("_loc")) {
                        String v = r.get(h);
                        if (!v.equals("onchip") && !v.equals("offchip")) {
                            throw new InvalidInputException(pos(file, lines, line, header, h), h + " is onchip or offchip, found '"
                                + v + "'");
                        }
                        onChip.put(h.substring(0, h.length() - 4), v.equals("onchip"));
                    }
                }
                String g = r.get("fusion_granularity");
                if (!g.equals("row") && !g.equals("head")) {
                    throw new InvalidInputException(pos(file, lines, line, header, "fusion_granularity"), "fusion_granularity is row "
                        + "or head, found '" + g + "'");
                }
                double share;
                try {
                    share = Double.parseDouble(r.get("proportion_spilled"));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(pos(file, lines, line, header, "proportion_spilled"), "proportion_spilled must be "
                        + "a number, found '" + r.get("proportion_spilled") + "'");
                }
                if (!(share >= 0 && share <= 1)) {
                    throw new InvalidInputException(pos(file, lines, line, header, "proportion_spilled"), "proportion_spilled is a "
                        + "share of the score slice, in [0, 1]; found " + r.get("proportion_spilled"));
                }
                rows.add(new Row(Map.copyOf(sizes), Map.copyOf(onChip), g.equals("row"),
                    whole(file, lines, line, header, "P1", r.get("P1")), share, new SourcePos(file, line, 1)));
            }
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            if (e instanceof InvalidInputException i) {
                throw i;
            }
            throw new InvalidInputException(new SourcePos(file, 1, 1), "FLAT's dataflow table: " + e.getMessage());
        }
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (rows.get(i).sizes().equals(rows.get(j).sizes()) && !same(rows.get(i), rows.get(j))) {
                    throw new InvalidInputException(rows.get(i).pos(), "this row and line " + rows.get(j).pos().line()
                        + " give the same point " + rows.get(i).sizes() + " different dataflows");
                }
            }
        }
        return new FlatDataflows(file, Map.copyOf(where), List.copyOf(rows));
    }

    /** The row for these sizes; a located error naming the point when the table has none. */
    public Row at(Map<String, Long> sizes) {
        for (Row r : rows) {
            if (r.sizes().entrySet().stream().allMatch(x -> x.getValue().equals(sizes.get(x.getKey())))) {
                return r;
            }
        }
        // A length the table does not list runs as the next listed one, padded (1000 tokens as 1024).
        Row padded = null;
        for (Row r : rows) {
            boolean covers = r.sizes().entrySet().stream().allMatch(x -> x.getKey().equals("P") || x.getKey().equals("M")
                ? x.getValue() >= sizes.get(x.getKey()) : x.getValue().equals(sizes.get(x.getKey())));
            if (covers && (padded == null || r.sizes().get("P") < padded.sizes().get("P")
                    || r.sizes().get("P").equals(padded.sizes().get("P")) && r.sizes().get("M") < padded.sizes().get("M"))) {
                padded = r;
            }
        }
        if (padded != null) {
            return padded;
        }
        Map<String, Long> point = new LinkedHashMap<>();
        RANKS.forEach(k -> point.put(k, sizes.get(k)));
        throw new InvalidInputException(new SourcePos(file, 1, 1), "FLAT's dataflow table lists no configuration for "
            + point + " nor for a longer sequence" + (where.isEmpty() ? "" : " where " + where) + "; it lists " + String.join(", ",
            rows.stream().map(r -> "P=" + r.sizes().get("P") + " E=" + r.sizes().get("E")).distinct().toList()));
    }

    private static boolean same(Row a, Row b) {
        return a.onChip().equals(b.onChip()) && a.rowGranularity() == b.rowGranularity() && a.p1() == b.p1()
            && a.spilledShare() == b.spilledShare();
    }

    private static long whole(String file, String[] lines, int line, List<String> header, String column, String v) {
        try {
            long n = cascade.einsum.Count.parse(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(pos(file, lines, line, header, column), column + " must be a positive whole number, "
                + "found '" + v + "'");
        }
    }

    /** Where a field starts on its line: after the fields before it and their commas (the table's fields are unquoted). */
    private static SourcePos pos(String file, String[] lines, int line, List<String> header, String column) {
        String text = line - 1 < lines.length ? lines[line - 1] : "";
        int col = 1;
        for (int field = 0, at = 0; field < header.indexOf(column) && at < text.length(); at++) {
            if (text.charAt(at) == ',') {
                field++;
                col = at + 2;
            }
        }
        return new SourcePos(file, line, col);
    }
}
