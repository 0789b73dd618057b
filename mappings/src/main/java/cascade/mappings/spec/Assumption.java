package cascade.mappings.spec;

import cascade.hw.Architecture;
import cascade.hw.StorageLevel;
import java.util.List;

/**
 * A modelling assumption a paper makes and a real design may not, named so a user can turn it
 * off ({@code --without NAME}) and see what it is worth. A design lists the ones it makes; each is
 * applied to what the design is built from (its architecture, or the Einsums it costs), so the
 * analytical model and the simulator both honour it through the one lowering.
 */
public enum Assumption implements YamlNamed {
    /**
     * On-chip levels never limit an Einsum: its time on its array is the computes over the PEs
     * it uses (the FuseMax artifact's "cycle count of the MAC level"); only DRAM's bandwidth binds.
     */
    UNLIMITED_ON_CHIP_BANDWIDTH("unlimitedOnChipBandwidth"),
    /** DRAM time is bytes over bandwidth, with no latency from request to first word. */
    TRAFFIC_BOUND_MEMORY("trafficBoundMemory"),
    /** exp is a pipelined unit issuing once a cycle, not a sequence of MACs on the PE (the artifact's baselines). */
    PIPELINED_EXP("pipelinedExp"),
    /**
     * The 1/√E scaling of the queries is folded into the query projection's weights, so the
     * Einsums the design names under it cost nothing (the artifact's cascades have no such Einsum).
     */
    FOLDED_SCALE("foldedScale"),
    /**
     * Summaries of the KV cache alone (Quest's per-page key minima and maxima) are kept up to date as
     * tokens are appended, a page at a time, so a step reads the Einsums' outputs from DRAM instead of
     * computing them from every key (as Quest keeps its page metadata); the Einsums it names do not run.
     */
    MAINTAINED_SUMMARIES("maintainedSummaries");

    private final String yamlName;

    Assumption(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }

    /** Whether the assumption names Einsums (a list in the design) rather than being true or false. */
    public boolean namesEinsums() {
        return this == FOLDED_SCALE || this == MAINTAINED_SUMMARIES;
    }

    public static Assumption named(String name) {
        return YamlNamed.named(values(), name, "assumption");
    }

    public static List<String> names() {
        return YamlNamed.names(values());
    }

    /** {@code arch} as this assumption has it (unchanged for an assumption about Einsums). */
    Architecture apply(Architecture arch) {
        return switch (this) {
            case UNLIMITED_ON_CHIP_BANDWIDTH -> withStorage(arch, s -> s.kind() == StorageLevel.Kind.DRAM ? s
                : s.withBandwidth(Double.POSITIVE_INFINITY));
            case TRAFFIC_BOUND_MEMORY -> withStorage(arch, s -> s.kind() != StorageLevel.Kind.DRAM ? s : s.withLatency(0));
            case PIPELINED_EXP -> new Architecture(arch.name(), arch.description(), arch.file(), arch.clockHz(),
                arch.technologyNm(), arch.wordBits(), arch.storage(),
                arch.compute().stream().map(u -> u.withIssue("exp", 1)).toList(), arch.figures());
            case FOLDED_SCALE, MAINTAINED_SUMMARIES -> arch;
        };
    }

    private static Architecture withStorage(Architecture a, java.util.function.UnaryOperator<StorageLevel> change) {
        return new Architecture(a.name(), a.description(), a.file(), a.clockHz(), a.technologyNm(), a.wordBits(),
            a.storage().stream().map(change).toList(), a.compute(), a.figures());
    }
}
