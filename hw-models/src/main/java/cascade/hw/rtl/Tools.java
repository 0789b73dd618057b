package cascade.hw.rtl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The external programs of the RTL flow (Verilator, yosys, nextpnr-ice40, icepack): running one, finding one. */
final class Tools {
    private Tools() {
    }

    /** What a program printed (standard output and error together) and its exit code. */
    record Output(int code, String text) {
    }

    static Output exec(Path dir, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " took more than " + timeoutSeconds + " s");
        }
        return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Whether {@code tool} can be started at all (asked with a harmless flag). */
    static boolean installed(String tool, String flag) {
        try {
            Process p = new ProcessBuilder(tool, flag).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
