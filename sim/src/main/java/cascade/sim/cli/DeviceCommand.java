package cascade.sim.cli;

import cascade.hw.Device;
import cascade.hw.KernelPoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "device", mixinStandardHelpOptions = true, description = "The serving devices' kernel-time model.",
    subcommands = {DeviceCommand.Predict.class})
final class DeviceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict each kernel call's time on a device: attention (prefill, decode) and GEMMs, in the CSV "
            + "of hw-models/calibration/ (its medianMs column optional: where present, each prediction is held against it).",
        footer = {"", "Columns: " + "kind,batch,heads,kvHeads,queryLen,kvLen,headDim,m,n,k,flops,bytes[,medianMs]", "",
            "Example:", "  ./cascade device predict --device h100 --points hw-models/calibration/h100-attention-held-out.csv"})
    static final class Predict implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--device", required = true, description = "a device of the catalog (./cascade list)")
        String device;

        @Option(names = "--points", required = true, paramLabel = "FILE.csv", description = "the kernel calls")
        Path points;

        @Option(names = "--format", defaultValue = "table", description = "json or table (default ${DEFAULT-VALUE})")
        Output.Format format;

        @Override
        public Integer call() throws IOException {
            Device d = Inputs.option("--device", () -> Device.preset(device));
            Inputs.existingFile(points, "--points");
            KernelPoints read = KernelPoints.parse(points.toString(), Files.readString(points, StandardCharsets.UTF_8));
            List<Map<String, Object>> rows = new ArrayList<>();
            double worst = 0;
            for (KernelPoints.Point p : read.points()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("line", p.line());
                row.put("kind", p.kind());
                row.put("shape", p.attention() ? String.format(Locale.ROOT, "b=%d h=%d/%d q=%d kv=%d d=%d", p.batch(), p.heads(),
                    p.kvHeads(), p.queryLen(), p.kvLen(), p.headDim()) : String.format(Locale.ROOT, "%dx%dx%d", p.m(), p.n(), p.k()));
                double predicted = 1e3 * d.seconds(p);
                row.put("predictedMs", predicted);
                if (p.measuredMs().isPresent()) {
                    double error = predicted / p.measuredMs().getAsDouble() - 1;
                    row.put("measuredMs", p.measuredMs().getAsDouble());
                    row.put("relativeError", error);
                    worst = Math.max(worst, Math.abs(error));
                }
                rows.add(row);
            }
            boolean measured = read.points().getFirst().measuredMs().isPresent();
            PrintWriter out = spec.commandLine().getOut();
            if (format == Output.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("device", d.name());
                json.put("points", rows);
                if (measured) {
                    json.put("maxAbsRelativeError", worst);
                }
                Output.json(out, json);
                return 0;
            }
            List<String> header = new ArrayList<>(List.of("line", "kind", "shape", "predicted ms"));
            if (measured) {
                header.addAll(List.of("measured ms", "error"));
            }
            List<List<String>> table = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                List<String> cells = new ArrayList<>(List.of(r.get("line").toString(), (String) r.get("kind"), (String) r.get("shape"),
                    String.format(Locale.ROOT, "%.4f", (double) r.get("predictedMs"))));
                if (measured) {
                    cells.add(String.format(Locale.ROOT, "%.4f", (double) r.get("measuredMs")));
                    cells.add(String.format(Locale.ROOT, "%+.1f%%", 100 * (double) r.get("relativeError")));
                }
                table.add(cells);
            }
            out.printf(Locale.ROOT, "%s: %d kernel calls from %s%n", d.description(), rows.size(), points);
            Output.table(out, header, table);
            if (measured) {
                out.printf(Locale.ROOT, "max |error| %.1f%%%n", 100 * worst);
            }
            return 0;
        }
    }
}
