package cascade.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * NumPy as the executor's outside reference: the same attention in NumPy, on the strongest NumPy
 * the machine has. A ratio means something only against a tuned BLAS, so every python3 found is
 * asked which BLAS its NumPy actually runs on (the libraries mapped after a product, not NumPy's
 * build configuration, since Debian's NumPy picks its BLAS at run time through alternatives), and
 * the fastest one on a tuned BLAS is the reference. NumPy on the reference (Netlib) BLAS runs at a
 * few GFLOP/s; it is reported, never compared against.
 *
 * <p>The machines here may set {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE}, which pin
 * OpenBLAS to older kernels; both are removed for the NumPy process alone, and its thread count is
 * the executor's.
 */
record NumpyReference(String python, String numpyVersion, Blas blas, List<String> libraries, String openblasCore,
                      double gflops) {

    /** The BLAS behind NumPy's matmul; only a tuned one makes a ratio to the executor meaningful. */
    enum Blas {
        OPENBLAS("OpenBLAS", true), MKL("Intel MKL", true), BLIS("BLIS", true), ATLAS("ATLAS", true),
        REFERENCE("reference BLAS (Netlib)", false), NONE("no BLAS (NumPy's own loops)", false);

        final String label;
        final boolean tuned;

        Blas(String label, boolean tuned) {
            this.label = label;
            this.tuned = tuned;
        }

        /**
         * From the real paths of the BLAS-like libraries mapped into NumPy's process. Debian's NumPy
         * calls BLAS through {@code libblas.so.3}, whose alternatives link decides the BLAS, while
         * its LAPACK may map OpenBLAS all the same: so where a {@code libblas}/{@code libcblas} is
         * mapped, its folder decides (Debian's reference BLAS lives in {@code …/blas/}); a wheel's
         * NumPy maps only its bundled library ({@code libscipy_openblas64_…}).
         */
        static Blas of(List<String> libraries) {
            List<String> interfaces = libraries.stream().filter(p -> {
                String name = Path.of(p).getFileName().toString();
                return name.startsWith("libblas.so") || name.startsWith("libcblas.so");
            }).toList();
            if (!interfaces.isEmpty()) {
                Blas tuned = tuned(interfaces);
                return tuned != null ? tuned : REFERENCE;
            }
            Blas tuned = tuned(libraries);
            return tuned != null ? tuned : NONE;
        }

        private static Blas tuned(List<String> paths) {
            for (Blas b : List.of(MKL, BLIS, OPENBLAS, ATLAS)) {
                String word = b.name().toLowerCase(Locale.ROOT);
                if (paths.stream().anyMatch(p -> p.toLowerCase(Locale.ROOT).contains(word))) {
                    return b;
                }
            }
            return null;
        }
    }

    /** Where each candidate stood: a measured NumPy, or why there is none. */
    record Search(NumpyReference best, List<NumpyReference> found, List<String> unavailable) {
        /** The reference to divide by, or null when no NumPy on a tuned BLAS was found. */
        NumpyReference comparable() {
            return best != null && best.blas.tuned ? best : null;
        }
    }

    /** Every python3 on the PATH and in the usual system places, each distinct interpreter once. */
    static List<String> candidates() {
        Set<String> seen = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        List<Path> places = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir, "python3"));
            }
        }
        places.add(Path.of("/usr/bin/python3"));
        places.add(Path.of("/usr/local/bin/python3"));
        for (Path p : places) {
            if (Files.isExecutable(p)) {
                try {
                    if (seen.add(p.toRealPath().toString())) {
                        out.add(p.toString());
                    }
                } catch (IOException e) {
                    // a dangling link is no interpreter
                }
            }
        }
        return out;
    }

    /** Runs the NumPy attention on every candidate; the best is the fastest on a tuned BLAS, else the fastest. */
    static Search find(int size, int headDim, int threads, PrintWriter err) {
        List<NumpyReference> found = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        Set<String> interpreters = new LinkedHashSet<>();
        for (String python : candidates()) {
            err.println("bench: numpy through " + python + "…");
            try {
                NumpyReference r = measure(python, size, headDim, threads);
                if (interpreters.add(r.python)) {
                    found.add(r);
                }
            } catch (IOException e) {
                unavailable.add(python + ": " + e.getMessage());
            }
        }
        NumpyReference best = null;
        for (NumpyReference r : found) {
            if (best == null || (r.blas.tuned && !best.blas.tuned)
                    || (r.blas.tuned == best.blas.tuned && r.gflops > best.gflops)) {
                best = r;
            }
        }
        return new Search(best, found, unavailable);
    }

    static NumpyReference measure(String python, int size, int headDim, int threads) throws IOException {
        String script;
        try (InputStream in = NumpyReference.class.getResourceAsStream("numpy-attention.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ProcessBuilder pb = new ProcessBuilder(python, "-c", script, Integer.toString(size), Integer.toString(headDim))
            .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        for (String v : List.of("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")) {
            env.put(v, Integer.toString(threads));
        }
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
        String last = text.strip().lines().reduce((a, b) -> b).orElse("no output");
        if (p.exitValue() != 0) {
            throw new IOException(last);
        }
        JsonNode j = new ObjectMapper().readTree(last);
        List<String> libraries = new ArrayList<>();
        j.get("libraries").forEach(l -> libraries.add(l.asText()));
        Blas blas = Blas.of(libraries);
        String core = blas != Blas.OPENBLAS || j.get("openblasCore").isNull() ? null : j.get("openblasCore").asText();
        return new NumpyReference(j.get("python").asText(), j.get("numpy").asText(), blas, libraries, core,
            j.get("gflops").asDouble());
    }

    /** How the reference ran, in one line: interpreter, NumPy, BLAS and its kernels. */
    String describe() {
        return "numpy " + numpyVersion + " (" + python + ") on " + blas.label
            + (openblasCore == null ? "" : ", " + openblasCore + " kernels")
            + (libraries.isEmpty() ? "" : " — " + libraries.getFirst());
    }
}
