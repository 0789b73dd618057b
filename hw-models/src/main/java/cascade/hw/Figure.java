package cascade.hw;

import cascade.einsum.SourcePos;

/**
 * One number of an architecture as the user wrote it, its value in the unit the model uses, and
 * where it comes from: every figure in a report can be traced to one of these.
 */
public record Figure(String name, double value, String unit, String written, String source, SourcePos pos) {
    @Override
    public String toString() {
        return name + " = " + written + (source == null ? "" : "   [" + source + "]");
    }
}
