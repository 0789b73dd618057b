package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.spec.ModelShape;
import cascade.traces.RequestTrace;
import cascade.traces.ScoreTrace;
import cascade.traces.SyntheticAttention;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "trace", mixinStandardHelpOptions = true, description = "Score traces.",
    subcommands = {TraceCommand.Generate.class, TraceCommand.Requests.class})
final class TraceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write a synthetic decoding step's attention probabilities (every layer and head) as a score trace: "
            + "FILE.scores and its index FILE.scores.csv (format in traces/README.md).",
        footer = {"", "Example:", "  ./cascade trace generate --workload gpt2 --seq 1024 --out gpt2.scores",
            "  ./cascade sim --design spatten --workload gpt2 --seq 1024 --keep 0.8 --scores gpt2.scores"})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--workload", required = true, description = "gpt2 or bert (heads and head dimension)")
        String workload;

        @Option(names = "--seq", required = true, description = "tokens")
        int seq;

        @Option(names = "--layers", defaultValue = "12", description = "layers (default ${DEFAULT-VALUE})")
        int layers;

        @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "FILE.scores", description = "the trace (written whole)")
        Path out;

        @Override
        public Integer call() throws IOException {
            ModelShape w = Inputs.option("--workload", () -> ModelShape.of(workload));
            if (seq < 1 || seq > cascade.sim.spatten.SpattenRun.MAX_SEQ) {
                throw new InvalidInputException(new SourcePos("--seq", 1, 1), "must be between 1 and "
                    + cascade.sim.spatten.SpattenRun.MAX_SEQ);
            }
            if (layers < 1 || layers > 96) {
                throw new InvalidInputException(new SourcePos("--layers", 1, 1), "must be between 1 and 96");
            }
            if (!out.toString().endsWith(".scores")) {
                throw new InvalidInputException(new SourcePos("--out", 1, 1), "a score trace's name ends in .scores");
            }
            Inputs.inExistingFolder(out, "--out");
            SyntheticAttention a = SyntheticAttention.defaults(layers, w.heads(), w.headDim(), seq, seed);
            List<ScoreTrace.Row> rows = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < w.heads(); h++) {
                    SyntheticAttention.Head head = a.head(l, h);
                    double[] p = SyntheticAttention.probabilities(head.q(), head.k(), seq, null);
                    float[] f = new float[seq];
                    for (int i = 0; i < seq; i++) {
                        f[i] = (float) p[i];
                    }
                    rows.add(new ScoreTrace.Row(0, l, h, f));
                }
            }
            ScoreTrace.write(out, rows);
            spec.commandLine().getOut().printf("wrote %s and %s: %d rows (%d layers x %d heads) of %d probabilities%n", out,
                ScoreTrace.indexOf(out), rows.size(), layers, w.heads(), seq);
            return 0;
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true,
        description = "Write a synthetic request trace (CSV: arrival_s,prompt_tokens,output_tokens): Poisson arrivals "
            + "(--cv 1) or gamma ones, log-normal lengths.",
        footer = {"", "Example:", "  ./cascade trace requests --count 2000 --rate 20 --prompt 2048 --output 256 --out requests.csv"})
    static final class Requests implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--count", defaultValue = "1000", description = "requests (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--rate", defaultValue = "10", description = "arrivals a second (default ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--cv", defaultValue = "1", description = "inter-arrival coefficient of variation; 1 is Poisson (default ${DEFAULT-VALUE})")
        double cv;

        @Option(names = "--prompt", defaultValue = "1024", description = "mean prompt tokens (default ${DEFAULT-VALUE})")
        double prompt;

        @Option(names = "--output", defaultValue = "256", description = "mean output tokens (default ${DEFAULT-VALUE})")
        double output;

        @Option(names = "--sigma", defaultValue = "0.5", description = "log-normal sigma of the lengths (default ${DEFAULT-VALUE})")
        double sigma;

        @Option(names = "--max-tokens", defaultValue = "32768", description = "longest prompt or output (default ${DEFAULT-VALUE})")
        int maxTokens;

        @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "the trace (written whole)")
        Path out;

        @Override
        public Integer call() throws IOException {
            RequestTrace t;
            try {
                t = RequestTrace.generate(count, rate, cv, prompt, output, sigma, maxTokens, seed);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(new SourcePos("--count", 1, 1), "parameters must be positive (lengths at least 1): "
                    + e.getMessage());
            }
            Inputs.inExistingFolder(out, "--out");
            t.write(out);
            spec.commandLine().getOut().printf("wrote %s: %d requests over %.1f s%n", out, count,
                t.requests().getLast().arrivalSeconds());
            return 0;
        }
    }
}
