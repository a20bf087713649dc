package dev.aether.providers.ssh;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a program on this machine from an argument list (never through a shell) for a bounded
 * time, feeding its stdin and collecting stdout and stderr. What goes to stdin (a token, a file)
 * is never part of the command line, so {@code ps} does not show it.
 */
final class LocalCommand {
  private static final File NO_INPUT = new File("/dev/null");

  /** How a program ended: its exit status and what it wrote (UTF-8). */
  record Result(int exitCode, String stdout, String stderr) {}

  private LocalCommand() {}

  /**
   * @param environment variables to set (present) or remove (empty) for the program
   * @param stdin what the program reads; empty = nothing (it reads end of file at once)
   * @throws TimeoutException if it has not ended within {@code timeout}; it is then killed
   */
  static Result run(List<String> command, Map<String, Optional<String>> environment,
      Optional<InputStream> stdin, Duration timeout) throws IOException, TimeoutException {
    ProcessBuilder builder = new ProcessBuilder(command);
    environment.forEach((k, v) -> v.ifPresentOrElse(
        value -> builder.environment().put(k, value), () -> builder.environment().remove(k)));
    if (stdin.isEmpty()) {
      builder.redirectInput(NO_INPUT);
    }
    Process p = builder.start();
    Drain out = new Drain(p.getInputStream());
    Drain err = new Drain(p.getErrorStream());
    Thread feeder = null;
    if (stdin.isPresent()) {
      feeder = new Thread(() -> feed(stdin.get(), p.getOutputStream()), "stdin-" + p.pid());
      feeder.setDaemon(true);
      feeder.start();
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(p);
        throw new TimeoutException(String.join(" ", command.subList(0, 1)) + " did not end within "
            + timeout.toSeconds() + "s");
      }
      // The pipes close when the program ends, unless it handed them to a process that lives on
      // (an ssh mux client passes them to its master): so the readers get a bounded wait too.
      out.join(5000);
      err.join(5000);
      return new Result(p.exitValue(), out.text(), err.text());
    } catch (InterruptedException e) {
      stop(p);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + command.get(0), e);
    } finally {
      if (feeder != null) {
        feeder.interrupt();
      }
    }
  }

  /** Asks a process to end, then kills it if it has not within two seconds. */
  static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void feed(InputStream from, OutputStream to) {
    try (from; to) {
      from.transferTo(to);
    } catch (IOException e) {
      // The program closed its stdin early (or ended): what it did not read is its business;
      // its exit status says how it went.
    }
  }

  /** Reads one of a process's output pipes to its end, on its own thread. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Drain(InputStream in) {
      this.in = in;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      try (in) {
        in.transferTo(bytes);
      } catch (IOException e) {
        // Closed under us when the process was killed: keep what was read.
      }
    }

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
