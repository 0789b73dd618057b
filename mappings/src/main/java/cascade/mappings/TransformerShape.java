package cascade.mappings;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A whole decoder-only transformer's shape, from its published configuration: layers, model
 * width, query and key/value heads, head dimension, FFN width and vocabulary. One layer's work is
 * the library cascade {@code llama-decode-layer} at these sizes (OPT's two-matrix FFN is charged
 * as the cascade's gated three: an over-count of a third of its FFN, said here).
 */
public enum TransformerShape {
    LLAMA_2_7B(32, 4096, 32, 32, 128, 11008, 32000, "Touvron et al. 2023, Llama 2 (7B config)"),
    LLAMA_2_13B(40, 5120, 40, 40, 128, 13824, 32000, "Touvron et al. 2023, Llama 2 (13B config)"),
    LLAMA_2_70B(80, 8192, 64, 8, 128, 28672, 32000, "Touvron et al. 2023, Llama 2 (70B config, GQA 8 KV heads)"),
    LLAMA_3_8B(32, 4096, 32, 8, 128, 14336, 128256, "Meta Llama 3 8B config (GQA 8 KV heads)"),
    LLAMA_3_70B(80, 8192, 64, 8, 128, 28672, 128256, "Meta Llama 3 70B config (GQA 8 KV heads)"),
    OPT_30B(48, 7168, 56, 56, 128, 28672, 50272, "Zhang et al. 2022, OPT (30B config)");

    public final int layers;
    public final int dModel;
    public final int heads;
    public final int kvHeads;
    public final int headDim;
    public final int ffn;
    public final int vocab;
    public final String source;

    TransformerShape(int layers, int dModel, int heads, int kvHeads, int headDim, int ffn, int vocab, String source) {
        this.layers = layers;
        this.dModel = dModel;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.ffn = ffn;
        this.vocab = vocab;
        this.source = source;
    }

    /** Parameters: the layers' projections and FFN, and the embedding and output matrices. */
    public long parameters() {
        long perLayer = (long) dModel * heads * headDim * 2 + 2L * dModel * kvHeads * headDim + 3L * dModel * ffn;
        return layers * perLayer + 2L * vocab * dModel;
    }

    /** Bytes of KV cache one token takes in every layer, at {@code bytesPerValue}. */
    public long kvBytesPerToken(int bytesPerValue) {
        return (long) layers * 2 * kvHeads * headDim * bytesPerValue;
    }

    public String userName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static String names() {
        return Arrays.stream(values()).map(TransformerShape::userName).collect(Collectors.joining(", "));
    }

    /** @throws IllegalArgumentException naming the known models */
    public static TransformerShape of(String name) {
        for (TransformerShape s : values()) {
            if (s.userName().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + names());
    }
}
