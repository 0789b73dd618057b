package cascade.sim;

import cascade.einsum.Diagnostic;
import cascade.einsum.InvalidInputException;
import cascade.sim.cli.CascadeCommand;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The {@code cascade} command line. Exit codes: 0 success, 1 a failure of the modelled design
 * or of a run, 2 bad input (each problem printed as {@code file:line:col: message}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CascadeCommand.reset();
        CommandLine cli = new CommandLine(new CascadeCommand());
        cli.setOut(out);
        cli.setErr(err);
        // Every whole-number option takes sizes as the papers write them: 1K, 64K, 1M.
        CommandLine.ITypeConverter<Long> count = s -> {
            try {
                return cascade.einsum.Count.parse(s);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
        CommandLine.ITypeConverter<Integer> smallCount = s -> {
            try {
                return cascade.einsum.Count.parseInt(s);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
        cli.registerConverter(Long.class, count);
        cli.registerConverter(Long.TYPE, count);
        cli.registerConverter(Integer.class, smallCount);
        cli.registerConverter(Integer.TYPE, smallCount);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println(where(ex) + ": " + ex.getMessage());
            err.println("cascade: see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            OutOfMemoryError oom = outOfMemory(ex);
            if (oom != null) {
                return reportOutOfMemory(oom, err);
            }
            if (ex instanceof InvalidInputException invalid) {
                for (Diagnostic d : invalid.diagnostics()) {
                    err.println(d);
                }
                return 2;
            }
            err.println("cascade: error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (CascadeCommand.verbose()) {
                ex.printStackTrace(err);
            }
            return 1;
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (OutOfMemoryError oom) { // an Error passes picocli's handler, which takes Exceptions only
            code = reportOutOfMemory(oom, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Where on the command line picocli's own error is, in the {@code --option:1:col} form of every
     * other input error: the unknown word, the option missing or given a bad value, else the command.
     */
    static String where(CommandLine.ParameterException ex) {
        String at;
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            at = u.getUnmatched().getFirst();
        } else if (ex instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            at = name(m.getMissing().getFirst());
        } else if (ex.getArgSpec() != null) {
            at = name(ex.getArgSpec());
        } else {
            at = ex.getCommandLine().getCommandSpec().qualifiedName();
        }
        return at + ":1:1";
    }

    private static String name(CommandLine.Model.ArgSpec arg) {
        return arg instanceof CommandLine.Model.OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    /** The OutOfMemoryError behind {@code ex} (a worker thread's arrives wrapped), or null. */
    static OutOfMemoryError outOfMemory(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    /** One line: what ran out, and the option that gives the JVM more of it. */
    static int reportOutOfMemory(OutOfMemoryError oom, PrintWriter err) {
        String what = oom.getMessage() == null ? "memory" : oom.getMessage();
        long max = Runtime.getRuntime().maxMemory();
        String advice = what.contains("heap")
            ? String.format("the heap is %s; raise it, e.g. CASCADE_JAVA_OPTS=-Xmx%dg ./cascade …", heapSize(max),
                Math.max(2, 2 * Math.ceilDiv(max, 1L << 30)))
            : "give the JVM more of it through CASCADE_JAVA_OPTS (see 'java -X')";
        err.println("cascade: out of memory (" + what + "): " + advice);
        if (CascadeCommand.verbose()) {
            oom.printStackTrace(err);
        }
        return 1;
    }

    private static String heapSize(long bytes) {
        return bytes < 1L << 30 ? String.format("%d MiB", bytes >> 20) : String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
