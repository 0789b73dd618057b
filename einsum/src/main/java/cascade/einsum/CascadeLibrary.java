package cascade.einsum;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attention library: cascade files under {@code src/main/resources/library}, loaded by the
 * same parser as a user's files. {@code library.index} lists their names.
 */
public final class CascadeLibrary {
    /** A length rank of the index, {@code B/64} or {@code R*2-1}: the rank, then operations on N left to right. */
    private static final java.util.regex.Pattern LENGTH_RANK = java.util.regex.Pattern.compile("([A-Z][A-Z0-9]*)((?:[*/+-]\\d+)*)");
    private static final java.util.regex.Pattern LENGTH_OP = java.util.regex.Pattern.compile("([*/+-])(\\d+)");

    private CascadeLibrary() {
    }

    public static List<String> names() {
        return entries().stream().map(e -> e[0]).toList();
    }

    /** Sizes that make the entry a realistic, quick example (the demo's and {@code run}'s defaults). */
    public static Map<String, Long> exampleBindings(String name) {
        return bindings(name, 1);
    }

    /** Sizes small enough for the scalar oracle, with at least two steps of every recurrence. */
    public static Map<String, Long> checkBindings(String name) {
        return bindings(name, 2);
    }

    /** The entry's family in the atlas: dense, masked, selective, linear or kernel. */
    public static String family(String name) {
        return entry(name)[3];
    }

    /**
     * The example sizes with the sequence length set to {@code n}: every rank the index lists as a
     * length rank becomes n, or n through the operations written after it, left to right
     * ({@code B/64}: blocks of 64 tokens; {@code R*2-1}: one embedding per distance).
     */
    public static Map<String, Long> atLength(String name, long n) {
        Map<String, Long> b = exampleBindings(name);
        for (String item : entry(name)[4].split(",")) {
            java.util.regex.Matcher m = LENGTH_RANK.matcher(item);
            if (!m.matches()) {
                throw new IllegalStateException("library.index: length rank '" + item + "' of " + name);
            }
            long v = n;
            for (java.util.regex.Matcher op = LENGTH_OP.matcher(m.group(2)); op.find(); ) {
                long k = Long.parseLong(op.group(2));
                v = switch (op.group(1)) {
                    case "*" -> v * k;
                    case "/" -> v / k;
                    case "+" -> v + k;
                    default -> v - k;
                };
            }
            b.put(m.group(1), v);
        }
        return b;
    }

    private static String[] entry(String name) {
        for (String[] e : entries()) {
            if (e[0].equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no library cascade named " + name);
    }

    private static Map<String, Long> bindings(String name, int column) {
        for (String[] e : entries()) {
            if (e[0].equals(name)) {
                Map<String, Long> b = new LinkedHashMap<>();
                for (String kv : e[column].split(",")) {
                    String[] parts = kv.split("=");
                    b.put(parts[0], Long.parseLong(parts[1]));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("no library cascade named " + name);
    }

    private static List<String[]> entries() {
        return Resources.read(CascadeLibrary.class, "/library.index").lines().map(String::strip)
            .filter(s -> !s.isEmpty() && !s.startsWith("#"))
            .map(s -> s.split("\\s+")).toList();
    }

    public static boolean contains(String name) {
        return names().contains(name);
    }

    /** The library entry's text. */
    public static String source(String name) {
        if (!contains(name)) {
            throw new IllegalArgumentException("no library cascade named " + name);
        }
        return Resources.read(CascadeLibrary.class, "/library/" + name + ".cas");
    }

    /** Parsed once: a cascade is immutable, and designs, sweeps and fuzzing name the same few again and again. */
    private static final java.util.Map<String, Cascade> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    public static Cascade load(String name) {
        Cascade c = LOADED.get(name);
        if (c == null) {
            c = Cascade.parse("library/" + name + ".cas", source(name));
            LOADED.putIfAbsent(name, c);
        }
        return c;
    }
}
