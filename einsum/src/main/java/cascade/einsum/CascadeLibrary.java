package cascade.einsum;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The attention library: cascade files under {@code src/main/resources/library}, loaded by the
 * same parser as a user's files. {@code library.index} lists their names.
 */
public final class CascadeLibrary {
    private CascadeLibrary() {
    }

    public static List<String> names() {
        return read("/library.index").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public static boolean contains(String name) {
        return names().contains(name);
    }

    /** The library entry's text. */
    public static String source(String name) {
        if (!contains(name)) {
            throw new IllegalArgumentException("no library cascade named " + name);
        }
        return read("/library/" + name + ".cas");
    }

    public static Cascade load(String name) {
        return Cascade.parse("library/" + name + ".cas", source(name));
    }

    private static String read(String resource) {
        try (InputStream in = CascadeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " (broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
