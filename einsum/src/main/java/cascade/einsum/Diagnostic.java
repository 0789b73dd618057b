package cascade.einsum;

/** One problem in a user's input, printed as {@code file:line:col: message}. */
public record Diagnostic(SourcePos pos, String message) {
    @Override
    public String toString() {
        return pos + ": " + message;
    }
}
