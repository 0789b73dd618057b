package cascade.mappings.spec;

import java.util.List;

/** A constant a design file names by a word of its own ({@link Assumption}, {@link SparsityPolicy}). */
interface YamlNamed {
    String yamlName();

    /** The constant of {@code values} named {@code name}; else an error naming the {@code kind} and every known name. */
    static <E extends YamlNamed> E named(E[] values, String name, String kind) {
        for (E v : values) {
            if (v.yamlName().equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + kind + " '" + name + "'; known: " + String.join(", ", names(values)));
    }

    static List<String> names(YamlNamed[] values) {
        return java.util.Arrays.stream(values).map(YamlNamed::yamlName).toList();
    }
}
