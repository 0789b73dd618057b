package cascade.sim;

import cascade.mappings.sweep.SweepPlan;
import cascade.sim.spatten.SpattenSweep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every sweep kind a sweep YAML can be: SpAtten's (a {@code spatten:} key, defined here in sim)
 * or one of the mappings' ({@link SweepPlan#parse}: a design or an Einsum sweep). The thread-pool
 * command, the Spark driver and the sweep benchmark all read sweeps through this.
 */
public final class Sweeps {
    private Sweeps() {
    }

    public static SweepPlan load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8), path.toAbsolutePath().getParent());
    }

    /** {@code file} names the sweep in messages; {@code dir} resolves the files it names. */
    public static SweepPlan parse(String file, String text, Path dir) {
        if (text.lines().anyMatch(l -> l.startsWith("spatten:"))) {
            return SpattenSweep.parse(file, text);
        }
        return SweepPlan.parse(file, text, dir);
    }
}
