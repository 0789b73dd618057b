package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.Design;
import cascade.mappings.Lowering;
import cascade.mappings.Schedule;
import cascade.mappings.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that name a design on a workload, shared by estimate, sim and compare. */
final class DesignWorkload {
    @Option(names = "--design", required = true, paramLabel = "NAME|FILE", description = "a design preset or YAML file")
    String design;

    @Option(names = "--workload", paramLabel = "MODEL",
        description = "bert, trxl, t5, xlm, bert-large, gpt2, llama2-7b or llama2-70b")
    String workload;

    @Option(names = "--seq", description = "sequence length (P = M)")
    Long seq;

    @Option(names = "--batch", defaultValue = "64", description = "batch (default ${DEFAULT-VALUE})")
    long batch;

    Design design() throws IOException {
        if (Files.isRegularFile(Path.of(design))) {
            return Design.parse(design, Files.readString(Path.of(design)));
        }
        if (Design.presetNames().contains(design)) {
            return Design.preset(design);
        }
        throw new InvalidInputException(new SourcePos("--design", 1, 1), "no design preset or file '" + design
            + "'; presets: " + String.join(", ", Design.presetNames()));
    }

    Workload workload() {
        if (workload == null || seq == null) {
            throw new InvalidInputException(new SourcePos(workload == null ? "--workload" : "--seq", 1, 1),
                "is required with --design " + design);
        }
        if (seq <= 0 || batch <= 0) {
            throw new InvalidInputException(new SourcePos(seq <= 0 ? "--seq" : "--batch", 1, 1), "must be positive");
        }
        return Inputs.option("--workload", () -> Workload.of(workload));
    }

    /** The design lowered onto the workload (the standard mapper budget). */
    Schedule schedule() throws IOException {
        return Lowering.standard().lower(design(), workload().bindings(seq), heads());
    }

    long heads() {
        return batch * workload().heads();
    }

    /** The fields every report on a design and workload starts with. */
    Map<String, Object> header(String designName) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("design", designName);
        m.put("workload", workload().userName());
        m.put("seq", seq);
        m.put("batch", batch);
        return m;
    }

    String describe() {
        return String.format(Locale.ROOT, "%s attention, seq %d, batch %d", workload().userName(), seq, batch);
    }
}
