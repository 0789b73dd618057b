package cascade.einsum;

import java.util.List;

/**
 * A user's input (cascade text, bindings, a spec file) was rejected. Carries every problem
 * found, each with its location; the command line prints them and exits with code 2.
 */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Diagnostic> diagnostics;

    public InvalidInputException(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "invalid input" : diagnostics.getFirst().toString());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public InvalidInputException(SourcePos pos, String message) {
        this(List.of(new Diagnostic(pos, message)));
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
