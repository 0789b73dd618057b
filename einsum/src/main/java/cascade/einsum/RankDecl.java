package cascade.einsum;

/**
 * A rank (or a plain parameter such as a window length). {@code defaultSize} may be null:
 * the size is then bound later ({@code --bind M=65536}). Parameters are not ranks: they have
 * no index variable and only appear in constants.
 */
public record RankDecl(String name, Long defaultSize, boolean isParameter, SourcePos pos) {
    public String indexName() {
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
