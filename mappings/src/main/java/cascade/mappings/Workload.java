package cascade.mappings;

import java.util.Locale;

/** Attention shapes of the FuseMax paper's models (REFERENCE.md): heads and the head dimension E = F. */
public enum Workload {
    BERT(12, 64), TRXL(16, 64), T5(8, 64), XLM(16, 128);

    private final int heads;
    private final int headDim;

    Workload(int heads, int headDim) {
        this.heads = heads;
        this.headDim = headDim;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    public static Workload of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
