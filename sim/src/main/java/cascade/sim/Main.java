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
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("cascade: " + ex.getMessage());
            err.println("cascade: see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
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
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
