package cascade.einsum;

/**
 * A rank (or a plain parameter such as a window length). {@code defaultSize} may be null:
 * the size is then bound later ({@code --bind M=65536}). Parameters are not ranks: they have
 * no index variable and only appear in constants. {@code sizeOf} names the rank this one is a
 * second index over ({@code rank D = C}): it has that rank's size, and its bare index may
 * subscript that rank's slots, as a block-internal pair (c, d) of Lightning attention needs.
 */
public record RankDecl(String name, Long defaultSize, boolean isParameter, SourcePos pos, String sizeOf) {
    public RankDecl(String name, Long defaultSize, boolean isParameter, SourcePos pos) {
        this(name, defaultSize, isParameter, pos, null);
    }

    public String indexName() {
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
