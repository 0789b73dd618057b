package cascade.hw;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reading YAML specs node by node, so every problem is reported at its line and column. Shared
 * by every spec loader (architectures here, mappings and sweeps downstream).
 */
public final class YamlNodes {
    private YamlNodes() {
    }

    /** A YAML node and the file it came from. */
    public record Located(Node node, String file) {
        public SourcePos pos() {
            return new SourcePos(file, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
        }
    }

    /** The document's root node; YAML syntax errors become located diagnostics. */
    public static Located compose(String file, String text, String expected) {
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            if (root == null) {
                throw new InvalidInputException(new SourcePos(file, 1, 1), "the file is empty; expected " + expected);
            }
            return new Located(root, file);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            SourcePos pos = mark == null ? new SourcePos(file, 1, 1)
                : new SourcePos(file, mark.getLine() + 1, mark.getColumn() + 1);
            throw new InvalidInputException(pos, "YAML syntax: " + e.getProblem());
        } catch (YAMLException e) {
            throw new InvalidInputException(new SourcePos(file, 1, 1), "YAML syntax: " + e.getMessage());
        }
    }

    /** A mapping whose keys must be among {@code allowed} (null: any key), each at most once. */
    public static Map<String, Located> mapping(Located node, List<String> allowed, String what) {
        if (!(node.node() instanceof MappingNode map)) {
            throw new InvalidInputException(node.pos(), "expected " + what + " (a mapping of keys to values)");
        }
        Map<String, Located> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Located key = new Located(t.getKeyNode(), node.file());
            String k = scalar(key);
            if (allowed != null && !allowed.contains(k)) {
                throw new InvalidInputException(key.pos(), "unknown key '" + k + "' in " + what + "; expected one of "
                    + String.join(", ", allowed));
            }
            if (out.put(k, new Located(t.getValueNode(), node.file())) != null) {
                throw new InvalidInputException(key.pos(), "key '" + k + "' appears twice in " + what);
            }
        }
        return out;
    }

    /** The key nodes of a mapping, in order (for messages that point at a key). */
    public static Map<String, Located> keys(Located node) {
        Map<String, Located> out = new LinkedHashMap<>();
        if (node.node() instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                Located key = new Located(t.getKeyNode(), node.file());
                out.put(scalar(key), key);
            }
        }
        return out;
    }

    public static List<Located> sequence(Located node, String what) {
        if (!(node.node() instanceof SequenceNode seq)) {
            throw new InvalidInputException(node.pos(), "expected a list of " + what);
        }
        return seq.getValue().stream().map(n -> new Located(n, node.file())).toList();
    }

    public static String scalar(Located node) {
        if (!(node.node() instanceof ScalarNode s)) {
            throw new InvalidInputException(node.pos(), "expected a single value here");
        }
        return s.getValue();
    }

    public static Located require(Map<String, Located> m, String key, Located owner) {
        Located v = m.get(key);
        if (v == null) {
            throw new InvalidInputException(owner.pos(), "missing '" + key + "'");
        }
        return v;
    }

    /** A positive whole number. */
    public static long positiveWhole(Located node, String what) {
        String s = scalar(node);
        try {
            String t = s.strip();
            long v = t.startsWith("-") ? -cascade.einsum.Count.parse(t.substring(1)) : cascade.einsum.Count.parse(t);
            if (v <= 0) {
                throw new InvalidInputException(node.pos(), what + " must be positive, found " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(node.pos(), what + " must be a whole number (such as 1024 or 1K), found '" + s
                + "'");
        }
    }
}
