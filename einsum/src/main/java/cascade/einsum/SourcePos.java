package cascade.einsum;

/** A place in a user's file, 1-based, so every message can say {@code file:line:col}. */
public record SourcePos(String file, int line, int col) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
