package cascade.sim.cli;

import picocli.CommandLine.Command;

@Command(name = "cascade", mixinStandardHelpOptions = true, version = "Cascade 0.1.0",
    description = "Design attention accelerators: Einsum cascades, analyses and a reference executor.",
    subcommands = {ListCommand.class, CheckCommand.class, AnalyzeCommand.class, RunCommand.class, ArchCommand.class, MapCommand.class, EstimateCommand.class, SimCommand.class, CompareCommand.class, SweepCommand.class, BenchCommand.class,
        DemoCommand.class, LibraryCommand.class, TraceCommand.class, OffloadCommand.class, RtlCommand.class, ReportCommand.class,
        picocli.AutoComplete.GenerateCompletion.class},
    footer = {"", "Examples:", "  ./cascade demo", "  ./cascade list", "  ./cascade check my-attention.cas",
        "  ./cascade analyze attention-1pass --bind M=4096,P=4096,E=64,F=64 --format json",
        "  ./cascade run fusemax --bind M=2048,P=2048,E=64,F=64 --seed 1", "  ./cascade arch show fusemax", "  ./cascade bench executor --format json"})
public final class CascadeCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
