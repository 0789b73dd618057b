package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.einsum.TensorDecl;
import cascade.einsum.exec.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A directory of {@code .npy} files as a cascade's inputs: one file per input tensor, named after
 * it, shaped in its declared index order. The files' shapes also bind the ranks they span, so a
 * user's arrays need no {@code --bind}; an explicit binding that disagrees with a shape is an
 * error, not a silent reshape.
 */
final class TensorFiles {
    private TensorFiles() {
    }

    /** The arrays read, and the rank sizes their shapes give. */
    record Loaded(Map<String, Npy.Array> arrays, Map<String, Long> shapeSizes) {
    }

    static Loaded read(Path dir, Cascade c, Map<String, Long> explicit) {
        SourcePos option = new SourcePos("--inputs", 1, 1);
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(option, "no directory " + dir);
        }
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, String> sizedBy = new LinkedHashMap<>();
        for (TensorDecl t : c.inputs()) {
            Path file = dir.resolve(t.name() + ".npy");
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException(option, "missing " + file + ": input " + describe(t)
                    + " of " + c.name() + " is read from it");
            }
            Npy.Array a;
            try {
                a = Npy.read(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            SourcePos at = new SourcePos(file.toString(), 1, 1);
            if (a.shape().length != t.ranks().size()) {
                throw new InvalidInputException(at, "input " + describe(t) + " has " + t.ranks().size()
                    + " ranks, but the array's shape is " + a.shapeText());
            }
            if (a.isFloating() != t.type().isFloating()) {
                throw new InvalidInputException(at, "input " + describe(t) + " is declared " + t.type().keyword()
                    + ", but the array holds " + a.dtype() + (t.type().isFloating() ? "; save it as float32" : "; save it as an integer type"));
            }
            if (!t.type().isFloating()) {
                for (float v : a.data()) {
                    if (t.type().round(v) != v) {
                        throw new InvalidInputException(at, "input " + describe(t) + " holds " + (long) v
                            + ", which " + t.type().keyword() + " cannot represent");
                    }
                }
            }
            for (int i = 0; i < a.shape().length; i++) {
                String rank = t.ranks().get(i);
                long size = a.shape()[i] - (rank.equals(t.recurrenceRank()) ? 1 : 0);
                Long bound = explicit.get(rank);
                if (bound != null && bound != size) {
                    throw new InvalidInputException(at, "input " + describe(t) + " spans " + rank + " = " + size
                        + " (shape " + a.shapeText() + "), but --bind gives " + rank + " = " + bound);
                }
                Long earlier = sizes.putIfAbsent(rank, size);
                if (earlier != null && earlier != size) {
                    throw new InvalidInputException(at, "input " + describe(t) + " spans " + rank + " = " + size
                        + " (shape " + a.shapeText() + "), but " + sizedBy.get(rank) + " spans " + rank + " = " + earlier);
                }
                sizedBy.putIfAbsent(rank, t.name() + ".npy");
            }
            arrays.put(t.name(), a);
        }
        return new Loaded(arrays, sizes);
    }

    /** Each input's values, after the sizes are resolved (a partition may still reject them). */
    static Map<String, float[]> values(Loaded loaded) {
        Map<String, float[]> values = new LinkedHashMap<>();
        loaded.arrays().forEach((name, a) -> values.put(name, a.data()));
        return values;
    }

    /** Writes every output as {@code NAME.npy}, each file whole or not at all. */
    static void writeOutputs(Path dir, Cascade c, Map<String, Long> sizes, Map<String, float[]> outputs) {
        try {
            Files.createDirectories(dir);
            for (TensorDecl t : c.outputs()) {
                long[] shape = new long[t.ranks().size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.extent(i, sizes);
                }
                Npy.write(dir.resolve(t.name() + ".npy"), shape, t.type(), outputs.get(t.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the outputs under " + dir, e);
        }
    }

    private static String describe(TensorDecl t) {
        return t.name() + "[" + String.join(",", t.ranks().stream().map(r -> r.toLowerCase(java.util.Locale.ROOT)).toList()) + "]";
    }
}
