package cascade.einsum;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Data files shipped in a module's resources (libraries, presets, designs), read as text. */
public final class Resources {
    private Resources() {
    }

    /** The resource's text; a missing one means a broken build, not a user's mistake. */
    public static String read(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " (broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The presets a folder's {@code index.txt} lists, one name a line. */
    public static java.util.List<String> index(Class<?> anchor, String folder) {
        return read(anchor, folder + "/index.txt").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
