package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns command-line words into cascades and bindings, with located errors. */
final class Inputs {
    private Inputs() {
    }

    /** {@code make()}, its IllegalArgumentException (an unknown name, a bad value) reported at {@code option}. */
    static <T> T option(String option, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(new SourcePos(option, 1, 1), e.getMessage());
        }
    }

    /** A file an option names, which must exist: else {@code OPTION:1:1: no file PATH}. */
    static Path existingFile(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(new SourcePos(option, 1, 1), "no file " + file);
        }
        return file;
    }

    /**
     * A path an option gives relative to the repository (its default names data under {@code ../shared}):
     * absolute as given, else against the repository the {@code cascade} script runs from.
     */
    static Path inRepository(Path path) {
        return path.isAbsolute() ? path : Path.of(System.getProperty("cascade.home", ".")).resolve(path);
    }

    /** {@code --einsum}: the output of an Einsum of {@code c} (not an input), else a located error. */
    static void computedBy(Cascade c, String einsum) {
        if (c.producer(einsum) == null || c.tensor(einsum).isInput()) {
            throw new InvalidInputException(new SourcePos("--einsum", 1, 1), "no Einsum computes '" + einsum + "' in "
                + c.name());
        }
    }

    /** A file to be written: its folder must exist (the file is then written whole, or not at all). */
    static void inExistingFolder(Path file, String option) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new InvalidInputException(new SourcePos(option, 1, 1), "no directory " + dir);
        }
    }

    /** A file path, or the name of a library cascade. */
    static Cascade cascade(String word) {
        return cascade(word, new SourcePos("<command line>", 1, 1));
    }

    /** As {@link #cascade(String)}, a word that names nothing reported at {@code where} (an option's position). */
    static Cascade cascade(String word, SourcePos where) {
        Path path = Path.of(word);
        if (Files.isRegularFile(path)) {
            try {
                return Cascade.load(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + word, e);
            }
        }
        if (CascadeLibrary.contains(word)) {
            return CascadeLibrary.load(word);
        }
        throw new InvalidInputException(where, "no file or library cascade named '"
            + word + "'; './cascade list' shows the library");
    }

    /**
     * {@code M=4096,P=4096,E=64}: each name must be a rank or parameter of the cascade, each value
     * a positive whole number. Errors are located by column within the option's value.
     */
    static Map<String, Long> bindings(String spec, Cascade c) {
        return bound(spec, c).sizes();
    }

    /** The real parameters {@code --bind} gives ({@code BETA=0.5}); apply them with {@link Cascade#withParameters}. */
    static Map<String, Double> reals(String spec, Cascade c) {
        return bound(spec, c).reals();
    }

    private record Bound(Map<String, Long> sizes, Map<String, Double> reals) {
    }

    private static Bound bound(String spec, Cascade c) {
        Map<String, Long> b = new LinkedHashMap<>();
        Map<String, Double> reals = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return new Bound(b, reals);
        }
        int col = 1;
        for (String item : spec.split(",", -1)) {
            SourcePos pos = new SourcePos("--bind", 1, col);
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException(pos, "expected NAME=SIZE, found '" + item + "'");
            }
            String name = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            SourcePos at = new SourcePos("--bind", 1, col + eq + 1);
            if (b.containsKey(name) || reals.containsKey(name)) {
                throw new InvalidInputException(pos, name + " is bound twice");
            }
            if (c.realParameters().containsKey(name)) {
                double v;
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(at, name + " is a real parameter; expected a number such as 0.5, found '"
                        + value + "'");
                }
                if (!Double.isFinite(v)) {
                    throw new InvalidInputException(at, name + " must be a finite number, found '" + value + "'");
                }
                reals.put(name, v);
                col += item.length() + 1;
                continue;
            }
            if (!c.ranks().containsKey(name)) {
                java.util.TreeSet<String> all = new java.util.TreeSet<>(c.ranks().keySet());
                all.addAll(c.realParameters().keySet());
                throw new InvalidInputException(pos, name + " is not a rank or parameter of " + c.name()
                    + "; it has " + String.join(", ", all));
            }
            long v;
            try {
                v = cascade.einsum.Count.parse(value);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(at, "size of " + name
                    + " must be a whole number (such as 1024 or 1K), found '" + value + "'");
            }
            if (v == 0 && !c.ranks().get(name).isParameter()) { // a parameter may be 0: no sinks, no window
                throw new InvalidInputException(at, "size of " + name + " must be positive");
            }
            b.put(name, v);
            col += item.length() + 1;
        }
        return new Bound(b, reals);
    }
}
