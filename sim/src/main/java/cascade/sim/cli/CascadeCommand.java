package cascade.sim.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "cascade", mixinStandardHelpOptions = true, version = "Cascade 0.1.0",
    description = "Design attention accelerators: Einsum cascades and their analyses, a reference executor, architectures, "
        + "mappings and the mapper, an analytical model and a cycle-level simulator, SpAtten and attention offloading, "
        + "generated RTL, reports.",
    subcommands = {ListCommand.class, CheckCommand.class, AnalyzeCommand.class, RunCommand.class, AtlasCommand.class, ArchCommand.class, MapCommand.class, EstimateCommand.class, SimCommand.class, CompareCommand.class, SweepCommand.class, BenchCommand.class,
        DemoCommand.class, LibraryCommand.class, TraceCommand.class, OffloadCommand.class, DeviceCommand.class, RtlCommand.class,
        ReportCommand.class,
        TimeloopCommand.class,
        picocli.AutoComplete.GenerateCompletion.class},
    footer = {"", "Options --quiet and --verbose apply to every command. Exit codes: 0 ok, 1 a failure of the modelled design "
        + "(does not fit, a co-simulation mismatch), 2 bad input.", "",
        "Examples:", "  ./cascade demo", "  ./cascade list", "  ./cascade check my-attention.cas",
        "  ./cascade analyze attention-1pass --bind M=4096,P=4096,E=64,F=64 --format json",
        "  ./cascade sim --design fusemax --workload bert --seq 65536 --format json",
        "  ./cascade offload --model llama-2-70b --compute h100 --memory h20",
        "  ./cascade rtl cosim systolic --cycles 100000",
        "  ./cascade report demo-out/results.csv --out report.html",
        "  ./cascade generate-completion > cascade-completion.bash"})
public final class CascadeCommand implements Runnable {
    private static volatile boolean verbose;
    private static volatile boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Stack traces with internal errors (as CASCADE_DEBUG=1 does). */
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of internal errors")
    void setVerbose(boolean v) {
        verbose = v;
    }

    /** No progress messages on standard error. */
    @Option(names = "--quiet", scope = ScopeType.INHERIT, description = "no progress messages")
    void setQuiet(boolean q) {
        quiet = q;
    }

    public static boolean verbose() {
        return verbose || System.getenv("CASCADE_DEBUG") != null;
    }

    public static boolean quiet() {
        return quiet;
    }

    /** Before each run of the command line (tests run many in one JVM). */
    public static void reset() {
        verbose = false;
        quiet = false;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
