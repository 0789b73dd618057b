package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.ComputeArray;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import cascade.sim.engine.Simulator;
import cascade.sim.engine.TimingWithValues;
import cascade.traces.Timeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sim", mixinStandardHelpOptions = true,
    description = "Cycle-level simulation of a design on a model's attention: cycles, per-unit busy and stall cycles, "
        + "traffic per level, energy by component and tensor.",
    footer = {"", "Examples:", "  ./cascade sim --design fusemax --workload bert --seq 1048576 --format json",
        "  ./cascade sim --design fusemax --workload bert --seq 2048 --batch 1 --trace fusemax.json",
        "  ./cascade sim --design fusemax --workload bert --seq 4096 --batch 1 --values",
        "  ./cascade sim --design fusemax --workload bert --seq 65536 --explain cycles"})
final class SimCommand implements Callable<Integer> {
    /** Slices a trace may hold; a longer run is refused rather than written half. */
    static final long TRACE_LIMIT = 2_000_000;
    /** Tasks a --values run may simulate in full. */
    static final long VALUES_LIMIT = 5_000_000;

    @Spec
    CommandSpec spec;

    @Mixin
    DesignWorkload run;

    @Option(names = "--trace", paramLabel = "FILE",
        description = "write the timeline: FILE.json (Perfetto / Chrome trace events) or FILE.csv; simulates in full. "
            + "With --design spatten: the score trace FILE.scores to read")
    Path trace;

    @Option(names = "--values", description = "timing with values: compute every task's numbers (first head) with the "
        + "executor's kernels on random inputs and compare the output with the executor's own run; simulates in full")
    boolean values;

    @Option(names = "--seed", defaultValue = "1",
        description = "seed of random inputs (--values), of synthetic workloads and top-k pivots (spatten) (default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    SpattenOptions spatten;

    @Mixin
    ExplainOption explain;

    @Override
    public Integer call() throws IOException {
        // --design spatten decides a SpAtten workload (synthetic, a score trace, a release) and runs it on its dedicated
        // pipeline, or with --simulator general on the design; with --simulator general and --bind it is a design like any.
        boolean pipeline = run.design.equals("spatten") && !(spatten.general() && run.bind != null);
        if (pipeline) {
            if (trace != null) {
                // For SpAtten, --trace names the score trace to take decisions from (the CLI).
                if (!trace.toString().endsWith(".scores")) {
                    throw new InvalidInputException(new SourcePos("--trace", 1, 1), "with --design spatten, --trace names a score"
                        + " trace to read (FILE.scores, see ./cascade trace generate); timelines are for the Einsum designs");
                }
                if (spatten.scores != null) {
                    throw new InvalidInputException(new SourcePos("--trace", 1, 1), "give the score trace once (--trace or --scores)");
                }
                spatten.scores = trace;
            }
            if (spatten.general() && spatten.release != null) {
                return spatten.runGeneral(spec, run, run.format);
            }
            return spatten.run(spec, run, run.format, seed, values);
        }
        if (run.design.equals("spatten")) {
            spatten.refuseForGeneral();
        } else if (spatten.release != null && spatten.simulator != SpattenOptions.Which.spatten) {
            // A design of one's own on a released trace plays it on the general simulator, as estimate does.
            return spatten.runGeneral(spec, run, run.format);
        } else {
            spatten.refuseFor(run.design);
        }
        if (trace != null && !trace.toString().endsWith(".json") && !trace.toString().endsWith(".csv")) {
            throw new InvalidInputException(new SourcePos("--trace", 1, 1), "the trace file must end in .json or .csv");
        }
        if (trace != null) {
            Inputs.inExistingFolder(trace, "--trace");
        }
        Schedule s = run.schedule();
        Timeline timeline = trace == null ? null
            : new Timeline(s.design().name(), 1 / s.design().architecture().secondsPerCycle(), TRACE_LIMIT);
        long t0 = System.nanoTime();
        Report r;
        double valuesError = Double.NaN;
        try {
            if (values) {
                long tasks = TimingWithValues.tasksInFull(s);
                if (tasks > VALUES_LIMIT) {
                    throw new InvalidInputException(new SourcePos("--values", 1, 1), "about " + tasks + " tasks to simulate"
                        + " in full (limit " + VALUES_LIMIT + "); use a shorter --seq or a smaller --batch");
                }
                TimingWithValues.Result v;
                try {
                    v = TimingWithValues.run(s, seed, timeline);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(new SourcePos("--values", 1, 1), e.getMessage());
                }
                r = v.report();
                valuesError = v.maxRelativeErrorVsExecutor();
            } else {
                r = Simulator.run(s, new Simulator.Options(trace == null, timeline, null));
            }
        } catch (IllegalStateException e) {
            if (timeline != null) {
                throw new InvalidInputException(new SourcePos("--trace", 1, 1), "too long to trace in full ("
                    + e.getMessage() + "); trace a shorter --seq or a smaller --batch");
            }
            throw e;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        if (timeline != null) {
            if (trace.toString().endsWith(".csv")) {
                timeline.writeCsv(trace);
            } else {
                timeline.writeTraceEvents(trace);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (explain.figure != null) {
            return explain.print(out, r);
        }
        Map<String, Object> json = run.json(r);
        run.bindingInto(json, s.design());
        if (values) {
            json.put("valuesMaxRelativeErrorVsExecutor", valuesError);
        }
        json.put("wallSeconds", wall);
        if (run.format == Output.Format.json) {
            Output.json(out, json);
            return 0;
        }
        Report.SimulationDetail detail = (Report.SimulationDetail) r.detail();
        out.printf("%s on %s (simulated in %.2f s, %d tasks placed, %d skipped as repeats): %d cycles (%.3g s), %.3g J, "
                + "DRAM %.3g GB, util 2D %.2f, 1D %.2f%n", r.design(), run.describe(), wall, detail.simulatedTasks(),
            detail.skippedTasks(), r.cycles(), r.seconds(), r.energyPj() * 1e-12, r.dramBytes() / 1e9,
            r.utilization(ComputeArray.Kind.ARRAY_2D), r.utilization(ComputeArray.Kind.ARRAY_1D));
        List<List<String>> rows = new ArrayList<>();
        detail.units().forEach((name, u) -> rows.add(List.of(name, Long.toString(u.busy()), Long.toString(u.stalledOnInput()),
            Long.toString(u.stalledOnOutput()), Long.toString(u.idle()))));
        Output.table(out, List.of("unit", "busy", "stalled on input", "stalled on output", "idle"), rows);
        if (trace != null) {
            out.println("timeline written to " + trace);
        }
        if (values) {
            out.printf("values (first head, seed %d): output vs the executor's, max relative error %.2e%n", seed, valuesError);
        }
        return 0;
    }
}
