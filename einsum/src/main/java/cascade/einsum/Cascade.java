package cascade.einsum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;

/**
 * A validated cascade of Einsums. Immutable. {@link #einsums()} is in a topological order of
 * {@link #dataflow()}, a DAG whose vertices are tensor names and whose edges run from each
 * tensor read to the tensor written (a recurrence's read of itself is not an edge).
 */
public final class Cascade {
    private final String name;
    private final String description;
    private final String paper;
    private final String file;
    private final Map<String, RankDecl> ranks;
    private final List<Partition> partitions;
    private final Map<String, TensorDecl> tensors;
    private final List<Einsum> einsums;
    private final Graph<String, DefaultEdge> dataflow;
    /** The text parsed, so real parameters can be bound again; and their values in this cascade. */
    private final String text;
    private final Map<String, Double> reals;

    Cascade(String name, String description, String paper, String file, Map<String, RankDecl> ranks, List<Partition> partitions,
            Map<String, TensorDecl> tensors, List<Einsum> einsums, Graph<String, DefaultEdge> dataflow, String text,
            Map<String, Double> reals) {
        this.name = name;
        this.description = description;
        this.paper = paper;
        this.file = file;
        this.ranks = Map.copyOf(ranks);
        this.partitions = List.copyOf(partitions);
        this.tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.einsums = List.copyOf(einsums);
        this.dataflow = dataflow;
        this.text = text;
        this.reals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reals));
    }

    /** Parses and validates cascade text; {@code file} names it in messages. */
    public static Cascade parse(String file, String text) {
        return parse(file, text, Map.of());
    }

    private static Cascade parse(String file, String text, Map<String, Double> reals) {
        Cascade c = Validator.validate(file, Parser.parse(file, text, reals));
        return new Cascade(c.name, c.description, c.paper, c.file, c.ranks, c.partitions, c.tensors, c.einsums, c.dataflow,
            text, c.reals);
    }

    /** The real parameters ({@code param BETA = 0.4}) and their values here. */
    public Map<String, Double> realParameters() {
        return reals;
    }

    /**
     * The same cascade with real parameters bound to other values: the text parsed again, since a
     * real parameter is folded into the constants that use it. Bind before retyping ({@link #withFloatType}).
     */
    public Cascade withParameters(Map<String, Double> values) {
        if (values.isEmpty()) {
            return this;
        }
        if (!reals.keySet().containsAll(values.keySet())) {
            throw new IllegalArgumentException(values.keySet() + " are not all real parameters of " + name + ": " + reals.keySet());
        }
        Map<String, Double> merged = new LinkedHashMap<>(reals);
        merged.putAll(values);
        return parse(file, text, merged);
    }

    public static Cascade load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The title of the paper the cascade follows ({@code paper "…"}), or null. */
    public String paper() {
        return paper;
    }

    public String file() {
        return file;
    }

    /** Ranks and parameters by name. */
    public Map<String, RankDecl> ranks() {
        return ranks;
    }

    public List<Partition> partitions() {
        return partitions;
    }

    public Map<String, TensorDecl> tensors() {
        return tensors;
    }

    public TensorDecl tensor(String tensorName) {
        return tensors.get(tensorName);
    }

    public List<Einsum> einsums() {
        return einsums;
    }

    /** The dataflow DAG, as an unmodifiable view: a caller cannot change the validated cascade through it. */
    public Graph<String, DefaultEdge> dataflow() {
        return new org.jgrapht.graph.AsUnmodifiableGraph<>(dataflow);
    }

    public Einsum producer(String tensorName) {
        for (Einsum e : einsums) {
            if (e.output().equals(tensorName)) {
                return e;
            }
        }
        return null;
    }

    public List<TensorDecl> inputs() {
        return tensors.values().stream().filter(TensorDecl::isInput).toList();
    }

    public List<TensorDecl> outputs() {
        return tensors.values().stream().filter(t -> t.role() == TensorDecl.Role.OUTPUT).toList();
    }

    /** The partition a rank takes part in as a part, or null. */
    public Partition partitionOfPart(String rank) {
        for (Partition p : partitions) {
            if (p.parts().contains(rank)) {
                return p;
            }
        }
        return null;
    }

    /** The rank itself and, recursively, the parts it is partitioned into. */
    public Set<String> rankFamily(String rank) {
        Set<String> family = new HashSet<>();
        List<String> work = new ArrayList<>(List.of(rank));
        while (!work.isEmpty()) {
            String r = work.removeLast();
            if (family.add(r)) {
                for (Partition p : partitions) {
                    if (p.whole().equals(r)) {
                        work.addAll(p.parts());
                    }
                }
            }
        }
        return family;
    }

    /**
     * Every rank and parameter's size under the given bindings (which override the defaults in
     * the text). Partition parts without a size are derived; the whole must divide evenly.
     */
    public Map<String, Long> sizes(Map<String, Long> bindings) {
        return Sizes.resolve(this, bindings);
    }

    /** The same cascade with every floating-point tensor stored at {@code type}. */
    public Cascade withFloatType(ElementType type) {
        Map<String, TensorDecl> retyped = new LinkedHashMap<>();
        tensors.forEach((n, t) -> retyped.put(n, t.type().isFloating()
            ? new TensorDecl(t.name(), t.ranks(), type, t.role(), t.recurrenceRank(), t.pos()) : t));
        return new Cascade(name, description, paper, file, ranks, partitions, retyped, einsums, dataflow, text, reals);
    }

    @Override
    public String toString() {
        return "cascade " + name + " (" + einsums.size() + " Einsums)";
    }
}
