package cascade.sim.cli;

import cascade.einsum.CascadeLibrary;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List the library's cascades, then the presets: architectures, designs, workloads, models, devices, links.",
    footer = {"", "Example:", "  ./cascade list"})
final class ListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<List<String>> rows = new ArrayList<>();
        for (String name : CascadeLibrary.names()) {
            cascade.einsum.Cascade c = CascadeLibrary.load(name);
            rows.add(List.of(name, CascadeLibrary.family(name), c.paper() == null ? "-" : c.paper()));
        }
        var out = spec.commandLine().getOut();
        Output.table(out, List.of("cascade", "family", "paper"), rows);
        out.println(rows.size() + " cascades, " + rows.stream().filter(r -> !r.get(2).equals("-")).count()
            + " naming their paper; './cascade check NAME' shows one's description, './cascade atlas' them all");
        out.println();
        List<List<String>> presets = new ArrayList<>();
        presets.add(List.of("architectures", String.join(", ", cascade.hw.ArchitectureLoader.presetNames())));
        presets.add(List.of("designs", String.join(", ", cascade.mappings.spec.Design.presetNames())));
        presets.add(List.of("workloads", cascade.mappings.spec.ModelShape.names()));
        presets.add(List.of("models (offload)", cascade.mappings.spec.ModelShape.decoderNames()));
        presets.add(List.of("devices", String.join(", ", cascade.hw.Device.presetNames())));
        presets.add(List.of("links", String.join(", ", cascade.hw.Device.linkNames())));
        presets.add(List.of("RTL blocks", String.join(", ", cascade.hw.rtl.Blocks.names())));
        Output.table(out, List.of("presets", "names"), presets);
    }
}
