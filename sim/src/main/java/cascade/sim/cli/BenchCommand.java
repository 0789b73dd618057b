package cascade.sim.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print ratios measured in one run.",
    subcommands = {BenchExecutorCommand.class, BenchMapperCommand.class, BenchSimCommand.class, BenchTopkCommand.class,
        BenchCosimCommand.class, BenchSweepCommand.class, BenchSpattenCommand.class, BenchFuzzCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
