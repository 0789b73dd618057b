package cascade.mappings.spec;

import static cascade.hw.YamlNodes.compose;
import static cascade.hw.YamlNodes.mapping;
import static cascade.hw.YamlNodes.positiveWhole;
import static cascade.hw.YamlNodes.require;
import static cascade.hw.YamlNodes.scalar;
import static cascade.hw.YamlNodes.sequence;

import cascade.einsum.InvalidInputException;
import cascade.einsum.Resources;
import cascade.hw.YamlNodes.Located;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model as the catalog ({@code models.yaml}) gives it: its attention shape — query heads, the
 * head dimension E = F, the key/value heads (fewer than the query heads under grouped-query
 * attention) — and, for decoder models, the rest of the transformer. Attention workloads and
 * transformer shapes are the same models, so there is one list. Estimates run head by head;
 * under GQA a group's shared K and V are still loaded once per query head (an upper bound on
 * traffic).
 */
public record ModelShape(String name, List<String> aliases, int heads, int kvHeads, int headDim, Decoder decoder,
                         String source) {

    /**
     * The transformer around the attention, from its published configuration: layers, model
     * width, FFN width and vocabulary. One layer's work is the library cascade
     * {@code llama-decode-layer} at these sizes (OPT's two-matrix FFN is charged as the cascade's
     * gated three: an over-count of a third of its FFN, said here).
     */
    public record Decoder(int layers, int dModel, int ffn, int vocab) {
    }

    private static final String FILE = "models.yaml";
    private static final Map<String, ModelShape> CATALOG = load();

    public static final ModelShape BERT = of("bert");
    public static final ModelShape TRXL = of("trxl");
    public static final ModelShape T5 = of("t5");
    public static final ModelShape XLM = of("xlm");
    public static final ModelShape GPT2 = of("gpt2");

    /** The attention cascades' ranks for a sequence of {@code seq} tokens attending to each other: P = M = seq, E = F = headDim. */
    public Map<String, Long> bindings(long seq) {
        return Map.of("P", seq, "M", seq, "E", (long) headDim, "F", (long) headDim);
    }

    /** The decoder's shape; models given only as attention shapes have none. */
    public Decoder requireDecoder() {
        if (decoder == null) {
            throw new IllegalArgumentException("model '" + name + "' has an attention shape only; decoder models: "
                + decoderNames());
        }
        return decoder;
    }

    /** Parameters: the layers' projections and FFN, and the embedding and output matrices. */
    public long parameters() {
        Decoder d = requireDecoder();
        long perLayer = (long) d.dModel() * heads * headDim * 2 + 2L * d.dModel() * kvHeads * headDim + 3L * d.dModel() * d.ffn();
        return d.layers() * perLayer + 2L * d.vocab() * d.dModel();
    }

    /** Bytes of KV cache one token takes in every layer, at {@code bytesPerValue}. */
    public long kvBytesPerToken(int bytesPerValue) {
        return (long) requireDecoder().layers() * 2 * kvHeads * headDim * bytesPerValue;
    }

    public static List<ModelShape> all() {
        return List.copyOf(CATALOG.values());
    }

    public static String names() {
        return CATALOG.keySet().stream().collect(Collectors.joining(", "));
    }

    public static String decoderNames() {
        return CATALOG.values().stream().filter(m -> m.decoder != null).map(ModelShape::name)
            .collect(Collectors.joining(", "));
    }

    /** @throws IllegalArgumentException naming the known models */
    public static ModelShape of(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (ModelShape m : CATALOG.values()) {
            if (m.name.equals(key) || m.aliases.contains(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + names());
    }

    private static Map<String, ModelShape> load() {
        Located root = compose(FILE, Resources.read(ModelShape.class, "/" + FILE), "the model catalog");
        Map<String, ModelShape> out = new LinkedHashMap<>();
        for (Located m : sequence(require(mapping(root, List.of("models"), "the model catalog"), "models", root), "models")) {
            Map<String, Located> f = mapping(m, List.of("name", "aliases", "heads", "kvHeads", "headDim", "layers", "dModel",
                "ffn", "vocab", "source"), "a model");
            String name = scalar(require(f, "name", m));
            List<String> aliases = new ArrayList<>();
            if (f.containsKey("aliases")) {
                sequence(f.get("aliases"), "aliases").forEach(a -> aliases.add(scalar(a)));
            }
            int heads = whole(f, "heads", m);
            int kvHeads = f.containsKey("kvHeads") ? whole(f, "kvHeads", m) : heads;
            if (heads % kvHeads != 0) {
                throw new InvalidInputException(f.get("kvHeads").pos(), "query heads (" + heads + ") must be a multiple of "
                    + "the key/value heads");
            }
            boolean decoder = f.containsKey("layers");
            Decoder d = decoder ? new Decoder(whole(f, "layers", m), whole(f, "dModel", m), whole(f, "ffn", m),
                whole(f, "vocab", m)) : null;
            out.put(name, new ModelShape(name, List.copyOf(aliases), heads, kvHeads, whole(f, "headDim", m), d,
                scalar(require(f, "source", m))));
        }
        return out;
    }

    private static int whole(Map<String, Located> f, String key, Located owner) {
        return Math.toIntExact(positiveWhole(require(f, key, owner), key));
    }
}
