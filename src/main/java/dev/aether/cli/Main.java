package dev.aether.cli;

import dev.aether.core.AetherException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of the {@code aether} program. Wires picocli in one place and maps every error to
 * one line on standard error and an exit status: 0 ok, 1 error, 2 invalid input, 3 unexpected
 * state, 4 internal error.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the program with these streams; returns the exit status (tests call this). */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new AetherCommand(in, out, err));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    HelpSections.install(cli);
    if (args.length == 0) {
      // No arguments is a person asking what this is: the usage, not an error about -P.
      cli.usage(out);
      return 0;
    }
    cli.setParameterExceptionHandler((e, a) -> {
      err.println("aether: " + UserWords.of(e.getMessage()) + " (see aether help"
          + (e.getCommandLine() == cli ? "" : " " + e.getCommandLine().getCommandName()) + ")");
      return AetherException.INVALID_INPUT;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof AetherException ae) {
        err.println("aether: " + ae.getMessage());
        return ae.exitStatus();
      }
      err.println("aether: internal error: " + e);
      e.printStackTrace(err);
      return AetherException.INTERNAL;
    });
    return cli.execute(args);
  }
}
