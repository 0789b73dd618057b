package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.model.Explanation;
import cascade.mappings.model.Report;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --explain FIGURE} of estimate and sim: the parts of one figure, with the entries and sources behind them. */
final class ExplainOption {
    @Option(names = "--explain", paramLabel = "FIGURE",
        description = "print where a figure comes from instead of the report: cycles, seconds, energy, energy.COMPONENT "
            + "(e.g. energy.GlobalBuffer, energy.PE2D)")
    String figure;

    int print(PrintWriter out, Report r) {
        Explanation e = Explanation.of(r, figure);
        if (e == null) {
            throw new InvalidInputException(new SourcePos("--explain", 1, 1), "no figure '" + figure + "' in this report; "
                + "expected one of " + String.join(", ", Explanation.figures(r)));
        }
        out.printf(Locale.ROOT, "%s = %s %s (%s, %s)%n", e.figure(), number(e.value()), e.unit(), r.design(), e.rule());
        List<List<String>> rows = new ArrayList<>();
        for (Explanation.Part p : e.parts()) {
            rows.add(List.of(p.label(), number(p.count()), number(p.each()) + " " + p.eachUnit(), number(p.value()),
                p.entry() == null ? "" : p.entry().name() + " = " + p.entry().written() + " ("
                    + (p.entry().pos() == null ? "?" : p.entry().pos().line() + ":" + p.entry().pos().col()) + ")",
                p.entry() == null || p.entry().source() == null ? "" : p.entry().source()));
        }
        Output.table(out, List.of("part", "count", "each", e.unit(), "entry", "source"), rows);
        out.printf(Locale.ROOT, "sum of parts = %s %s%n", number(e.sum()), e.unit());
        return 0;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%d", (long) v)
            : String.format(Locale.ROOT, "%.6g", v);
    }
}
