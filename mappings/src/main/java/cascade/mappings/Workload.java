package cascade.mappings;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Attention shapes: query heads, the head dimension E = F, and the key/value heads (fewer than
 * the query heads under grouped-query attention). The FuseMax paper's four (REFERENCE.md) and
 * common larger models from their published configurations. Estimates run head by head; under
 * GQA a group's shared K and V are still loaded once per query head (an upper bound on traffic).
 */
public enum Workload {
    BERT(12, 64, 12),
    TRXL(16, 64, 16),
    T5(8, 64, 8),
    XLM(16, 128, 16),
    /** BERT-Large: 16 heads of 64 (Devlin et al. 2019). */
    BERT_LARGE(16, 64, 16),
    /** GPT-2 small: 12 heads of 64 (Radford et al. 2019). */
    GPT2(12, 64, 12),
    /** Llama-2-7B: 32 heads of 128, no GQA (Touvron et al. 2023). */
    LLAMA2_7B(32, 128, 32),
    /** Llama-2-70B: 64 query heads of 128 sharing 8 key/value heads (Touvron et al. 2023). */
    LLAMA2_70B(64, 128, 8);

    private final int heads;
    private final int headDim;
    private final int kvHeads;

    Workload(int heads, int headDim, int kvHeads) {
        this.heads = heads;
        this.headDim = headDim;
        this.kvHeads = kvHeads;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    public int kvHeads() {
        return kvHeads;
    }

    /** The attention cascades' ranks for a sequence of {@code seq} tokens attending to each other: P = M = seq, E = F = the head dimension. */
    public java.util.Map<String, Long> bindings(long seq) {
        return java.util.Map.of("P", seq, "M", seq, "E", (long) headDim, "F", (long) headDim);
    }

    /** The name users write: {@code bert-large}, {@code llama2-70b}. */
    public String userName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static String names() {
        return Arrays.stream(values()).map(Workload::userName).collect(Collectors.joining(", "));
    }

    /** @throws IllegalArgumentException naming the known workloads */
    public static Workload of(String name) {
        for (Workload w : values()) {
            if (w.userName().equals(name.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + name + "'; expected one of " + names());
    }
}
