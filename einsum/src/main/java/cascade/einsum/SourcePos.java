package cascade.einsum;

/** A place in a user's file, 1-based, so every message can say {@code file:line:col}. */
public record SourcePos(String file, int line, int col) {
    /** Where field {@code index} of a comma-separated line starts: every CSV reader's error position. */
    public static SourcePos ofField(String file, int line, String[] fields, int index) {
        int col = 1;
        for (int k = 0; k < index; k++) {
            col += fields[k].length() + 1;
        }
        return new SourcePos(file, line, col);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
