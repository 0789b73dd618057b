package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The command line run in-process, for tests that need its output of a successful run. */
final class Cli {
    private Cli() {
    }

    /** Standard output of a run that must exit 0 (its standard error is the failure message). */
    static String ok(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }
}
