package cascade.einsum;

import java.util.List;

/**
 * A tensor: its ranks, element type and role. A tensor computed by a recurrence over rank R
 * has R+1 elements along R (index 0 holds the initial value).
 */
public record TensorDecl(String name, List<String> ranks, ElementType type, Role role,
                         String recurrenceRank, SourcePos pos) {
    public enum Role { INPUT, OUTPUT, INTERMEDIATE }

    public boolean isInput() {
        return role == Role.INPUT;
    }

    /** Elements along declared rank position {@code i}, given every rank's size. */
    public long extent(int i, java.util.Map<String, Long> sizes) {
        String r = ranks.get(i);
        return sizes.get(r) + (r.equals(recurrenceRank) ? 1 : 0);
    }

    public long elements(java.util.Map<String, Long> sizes) {
        long n = 1;
        for (int i = 0; i < ranks.size(); i++) {
            n = Math.multiplyExact(n, extent(i, sizes));
        }
        return n;
    }
}
