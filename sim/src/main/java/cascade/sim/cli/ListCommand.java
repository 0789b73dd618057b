package cascade.sim.cli;

import cascade.einsum.CascadeLibrary;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List the attention library's cascades.",
    footer = {"", "Example:", "  ./cascade list"})
final class ListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<List<String>> rows = new ArrayList<>();
        for (String name : CascadeLibrary.names()) {
            rows.add(List.of(name, CascadeLibrary.load(name).description()));
        }
        Output.table(spec.commandLine().getOut(), List.of("cascade", "description"), rows);
    }
}
