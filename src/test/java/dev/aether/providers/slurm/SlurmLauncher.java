package dev.aether.providers.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code aether} run as a child process on a "login node" of the test cluster: this test's Java
 * and class path (which the agent jobs then use too), {@code SLURM_CONF} pointing at the
 * cluster, and a home of its own.
 */
final class SlurmLauncher {
  /** Smaller, quicker JVMs for the launcher (its agents use AetherProgram's own options). */
  private static final String JVM = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

  private final SlurmCluster.Running cluster;
  private final Path home;
  private final Path logs;
  private int started;

  SlurmLauncher(SlurmCluster.Running cluster, Path home) throws IOException {
    this.cluster = cluster;
    this.home = home;
    this.logs = Files.createDirectories(home.resolveSibling(home.getFileName() + "-launcher"));
  }

  Path home() {
    return home;
  }

  /** A running launcher: its process and where its output goes. */
  record Launch(Process process, Path out, Path err) {
    String output() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String errors() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Sends a signal the way a terminal (INT) or a kill (KILL) would. */
    void signal(String name) throws IOException, InterruptedException {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
          .inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    }

    /** Waits for the end; a launcher still running at the deadline is killed, and that fails. */
    int await(Duration deadline) throws IOException, InterruptedException {
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new AssertionError("aether did not end within " + deadline.toSeconds() + " s;"
            + " output:\n" + output() + errors());
      }
      return process.exitValue();
    }
  }

  /** The outcome of a launcher that ran to its end. */
  record Outcome(int exit, String out, String err) {
    /** The whole output, for assertion messages. */
    String all() {
      return out + err;
    }
  }

  Launch start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.aether.cli.Main"));
    command.addAll(List.of(args));
    started++;
    Path out = logs.resolve("launch-" + started + ".out");
    Path err = logs.resolve("launch-" + started + ".err");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("AETHER_HOME", home.toString());
    pb.environment().put("JAVA_TOOL_OPTIONS", JVM);
    pb.environment().putAll(cluster.environment());
    pb.environment().putAll(env);
    return new Launch(pb.start(), out, err);
  }

  Outcome run(Duration deadline, String... args) throws IOException, InterruptedException {
    return run(Map.of(), deadline, args);
  }

  Outcome run(Map<String, String> env, Duration deadline, String... args)
      throws IOException, InterruptedException {
    Launch l = start(env, args);
    int exit = l.await(deadline);
    // JAVA_TOOL_OPTIONS makes the JVM say so on stderr; it is not aether's output.
    String err = l.errors().lines().filter(s -> !s.startsWith("Picked up JAVA_TOOL_OPTIONS"))
        .reduce("", (a, b) -> a + b + "\n");
    return new Outcome(exit, l.output(), err);
  }
}
