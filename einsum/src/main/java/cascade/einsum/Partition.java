package cascade.einsum;

import java.util.List;

/** {@code M -> M1, M0}: a rank split into parts, outermost first; {@code m = m1 * M0 + m0}. */
public record Partition(String whole, List<String> parts, SourcePos pos) {
}
