package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.RankDecl;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Parse and validate a cascade; print a summary, or every problem as file:line:col: message (exit 2).",
    footer = {"", "Examples:", "  ./cascade check my-attention.cas", "  ./cascade check fusemax"})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CASCADE", description = "a cascade file, or a library name")
    String cascade;

    @Override
    public Integer call() {
        Cascade c = Inputs.cascade(cascade);
        StepPlan plan = StepPlan.of(c);
        PrintWriter out = spec.commandLine().getOut();
        out.println(c.name() + ": ok" + (c.description().isEmpty() ? "" : " — " + c.description()));
        StringBuilder ranks = new StringBuilder();
        for (RankDecl r : c.ranks().values().stream().sorted(java.util.Comparator.comparing(RankDecl::pos,
                java.util.Comparator.comparingInt(p -> p.line() * 10000 + p.col()))).toList()) {
            ranks.append(ranks.isEmpty() ? "" : ", ").append(r.isParameter() ? "param " : "").append(r.name())
                .append(r.defaultSize() == null ? "" : " = " + r.defaultSize());
        }
        out.println("  ranks:    " + ranks);
        c.partitions().forEach(p -> out.println("  split:    " + p.whole() + " -> " + String.join(", ", p.parts())));
        out.println("  inputs:   " + String.join(", ", c.inputs().stream().map(CheckCommand::describe).toList()));
        out.println("  outputs:  " + String.join(", ", c.outputs().stream().map(CheckCommand::describe).toList()));
        out.println("  einsums:  " + c.einsums().size() + " (" + String.join(" ", c.einsums().stream().map(Einsum::output).toList()) + ")");
        if (plan.hasSteps()) {
            out.println("  steps:    over " + plan.stepRank().toLowerCase(java.util.Locale.ROOT) + ": "
                + String.join(" ", plan.stepped().stream().map(Einsum::output).toList()));
        }
        return 0;
    }

    private static String describe(TensorDecl t) {
        return t.name() + "[" + String.join(",", t.ranks().stream().map(r -> r.toLowerCase(java.util.Locale.ROOT)).toList())
            + "]:" + t.type().keyword();
    }
}
