package cascade.traces;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-head decoding workload summaries released with SpAtten's hardware
 * ({@code shared/data/spatten-workloads/}, its README documents the columns), read as they are:
 * one row per (generation step, layer, head) saying how many keys and values survive pruning,
 * at how many bits, and whether a top-k or a progressive re-quantisation runs. The last line of
 * a release file names the configuration it came from; it is kept as {@link #config()}.
 */
public record SpattenTrace(String file, String config, List<Row> rows) {
    public static final List<String> COLUMNS = List.of("iteration_id", "layer_id", "head_id", "embedding_length_D",
        "sentence_length_L", "key_fetch_num", "quant_key_bit", "quant_query_bit", "auto_requant_thres", "if_requant",
        "auto_requant_incre", "value_fetch_num", "quant_value_bit", "if_accumulate_importance",
        "if_rescale_previous_importance", "if_topk", "topk");

    /**
     * One head's work at one step. Bit widths of -1 mean "not quantised" (full width); {@code k}
     * is -1 when no top-k runs.
     */
    public record Row(int step, int layer, int head, int headDim, int length, int keys, int keyBits, int queryBits,
                      double requantThreshold, boolean requant, int requantExtraBits, int values, int valueBits,
                      boolean accumulateImportance, boolean rescaleImportance, boolean topk, int k) {
    }

    public static SpattenTrace read(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    public static SpattenTrace parse(String file, String text) {
        List<Row> rows = new ArrayList<>();
        String config = null;
        try (BufferedReader in = new BufferedReader(new java.io.StringReader(text))) {
            String header = in.readLine();
            if (header == null || !List.of(header.strip().split(",", -1)).equals(COLUMNS)) {
                throw new InvalidInputException(new SourcePos(file, 1, 1), "not a SpAtten workload summary: the header must be "
                    + String.join(",", COLUMNS));
            }
            String line;
            int n = 1;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != COLUMNS.size()) {
                    throw new InvalidInputException(new SourcePos(file, n, 1), "expected " + COLUMNS.size() + " fields, found "
                        + f.length);
                }
                if (!f[0].isEmpty() && f[1].isEmpty() && List.of(f).subList(1, f.length).stream().allMatch(String::isEmpty)) {
                    config = f[0]; // the release's trailing line: the configuration file it was produced with
                    continue;
                }
                rows.add(row(f, file, n, line));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringReader does not fail
        }
        if (rows.isEmpty()) {
            throw new InvalidInputException(new SourcePos(file, 1, 1), "the trace has no rows");
        }
        return new SpattenTrace(file, config, List.copyOf(rows));
    }

    private static Row row(String[] f, String file, int line, String text) {
        Fields p = new Fields(f, file, line, text);
        Row r = new Row(p.whole(0), p.whole(1), p.whole(2), (int) p.number(3), p.whole(4), p.whole(5), p.whole(6), p.whole(7),
            p.number(8), p.bool(9), p.whole(10), p.whole(11), p.whole(12), p.bool(13), p.bool(14), p.bool(15), p.whole(16));
        if (r.length() <= 0 || r.headDim() <= 0) {
            throw p.error(r.length() <= 0 ? 4 : 3, "must be positive");
        }
        if (r.keys() < 0 || r.keys() > r.length()) {
            throw p.error(5, "keys fetched must be between 0 and the sentence length " + r.length());
        }
        if (r.values() < 0 || r.values() > r.keys()) {
            throw p.error(11, "values fetched must be between 0 and the keys fetched " + r.keys());
        }
        if (r.topk() && (r.k() < 0 || r.k() > r.length())) {
            throw p.error(16, "top-k size must be between 0 and the sentence length " + r.length());
        }
        return r;
    }

    /** Field access with file:line:col errors (the column of the field's first character). */
    private record Fields(String[] f, String file, int line, String text) {
        InvalidInputException error(int i, String message) {
            return new InvalidInputException(SourcePos.ofField(file, line, f, i), COLUMNS.get(i) + " " + message);
        }

        double number(int i) {
            try {
                return Double.parseDouble(f[i]);
            } catch (NumberFormatException e) {
                throw error(i, "is not a number: '" + f[i] + "'");
            }
        }

        int whole(int i) {
            double v = number(i);
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw error(i, "is not a whole number: '" + f[i] + "'");
            }
            return (int) v;
        }

        boolean bool(int i) {
            return switch (f[i]) {
                case "True", "true" -> true;
                case "False", "false" -> false;
                default -> throw error(i, "is not True or False: '" + f[i] + "'");
            };
        }
    }
}
