package cascade.sim;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the project's shared/ folder, which lies beside the checkout (or at /work/shared on the project's machines). */
public final class SharedData {
    private SharedData() {
    }

    /** A path under shared/, e.g. {@code of("data", "spatten-workloads", "small.csv")}. */
    public static Path of(String... parts) {
        Path beside = Path.of("..", "..", "shared").resolve(Path.of("", parts));
        return Files.exists(beside) ? beside : Path.of("/work/shared").resolve(Path.of("", parts));
    }
}
