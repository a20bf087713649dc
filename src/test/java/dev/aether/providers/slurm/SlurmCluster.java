package dev.aether.providers.slurm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real one-machine Slurm cluster of {@code tools/slurm-test-cluster.sh}, for tests.
 *
 * <p>Use {@code @ExtendWith(SlurmCluster.class)} on a test class and take a {@link Running}
 * parameter (constructor or method). The first class that needs it starts the cluster (the
 * script installs Slurm if missing, which needs root) and waits, with a deadline, until every
 * node is idle; later classes in the same JVM reuse it. It is stopped when the JUnit run of this
 * JVM ends (a value in the root context's store, which JUnit closes last; Surefire runs all
 * classes in one JVM), or by a shutdown hook if the JVM ends first. A cluster that was already
 * running before the tests (started by hand) is left running.
 *
 * <p>When the cluster cannot be started: with {@code CI=true} the tests fail; elsewhere they are
 * skipped with the script's reason.
 */
public final class SlurmCluster implements BeforeAllCallback, ParameterResolver {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5); // includes apt-get
  private static final Duration IDLE_DEADLINE = Duration.ofSeconds(30);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SlurmCluster.class);

  /**
   * A started cluster.
   *
   * @param dir the folder the script owns ({@code $AETHER_SLURM_DIR})
   * @param conf its slurm.conf, which every Slurm command must be pointed at
   */
  public record Running(Path dir, Path conf) {
    /** What a Slurm command needs in its environment to talk to this cluster. */
    public Map<String, String> environment() {
      return Map.of("SLURM_CONF", conf.toString());
    }

    SlurmCommands commands() {
      return new SlurmCommands(environment(), Duration.ofSeconds(30));
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Lease lease = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Lease.class, k -> Lease.acquire(), Lease.class);
    if (lease.unavailable().isPresent()) {
      String why = "Slurm test cluster unavailable: " + lease.unavailable().get();
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      abort(why);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Running.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getRoot().getStore(NAMESPACE).get(Lease.class, Lease.class).running().orElseThrow();
  }

  /** The cluster for this JVM, or why there is none; stops what it started when closed. */
  private record Lease(Optional<Running> running, Optional<String> unavailable,
      Optional<Thread> hook) implements AutoCloseable {

    static Lease acquire() {
      Path dir = Path.of(Optional.ofNullable(System.getenv("AETHER_SLURM_DIR"))
          .orElse("/tmp/aether-slurm"));
      Running running = new Running(dir, dir.resolve("slurm.conf"));
      if (script("status").exit() == 0) {
        return new Lease(Optional.of(running), Optional.empty(), Optional.empty());
      }
      Outcome start = script("start");
      if (start.exit() != 0) {
        // Stop what a failed start may have left (a daemon that did come up).
        script("stop");
        return new Lease(Optional.empty(), Optional.of(start.lastLines()), Optional.empty());
      }
      Thread hook = new Thread(() -> script("stop"), "slurm-test-cluster-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      Lease lease = new Lease(Optional.of(running), Optional.empty(), Optional.of(hook));
      try {
        awaitIdle(running.commands());
      } catch (RuntimeException | AssertionError e) {
        lease.close();
        return new Lease(Optional.empty(), Optional.of(e.getMessage()), Optional.empty());
      }
      return lease;
    }

    @Override
    public void close() {
      if (hook.isPresent()) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook.get());
        } catch (IllegalStateException e) {
          return; // the JVM is already shutting down: the hook does the stopping
        }
        Outcome stop = script("stop");
        if (stop.exit() != 0) {
          throw new IllegalStateException("slurm-test-cluster.sh stop failed: "
              + stop.lastLines());
        }
      }
    }
  }

  /** Waits until sinfo shows every node of the default partition idle. */
  private static void awaitIdle(SlurmCommands slurm) {
    Instant deadline = Instant.now().plus(IDLE_DEADLINE);
    List<SlurmCommands.NodeInfo> nodes = List.of();
    while (Instant.now().isBefore(deadline)) {
      String partition = slurm.partitions().stream().filter(SlurmCommands.Partition::isDefault)
          .findFirst().orElseThrow().name();
      nodes = slurm.nodes(partition);
      if (!nodes.isEmpty() && nodes.stream().allMatch(n -> n.state().equals("idle"))) {
        return;
      }
      pause();
    }
    throw new AssertionError("nodes not idle within " + IDLE_DEADLINE.toSeconds() + " s: " + nodes);
  }

  private record Outcome(int exit, String output) {
    /** The script's own last word (why it gave up), else the output's last lines. */
    String lastLines() {
      List<String> lines = output.strip().lines().toList();
      List<String> own = lines.stream().filter(l -> l.startsWith("slurm-test-cluster:")).toList();
      if (!own.isEmpty()) {
        return own.get(own.size() - 1);
      }
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
  }

  /** Runs the script with one verb; its output is kept, not printed. */
  private static Outcome script(String verb) {
    Path script = Path.of(System.getProperty("user.dir"), "tools", "slurm-test-cluster.sh");
    Path log = null;
    try {
      log = Files.createTempFile("slurm-test-cluster-", ".log");
      Process p = new ProcessBuilder("bash", script.toString(), verb)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Outcome(-1, "slurm-test-cluster.sh " + verb + " took over "
            + START_TIMEOUT.toMinutes() + " min");
      }
      return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Outcome(-1, "cannot run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, "interrupted");
    } finally {
      if (log != null) {
        log.toFile().delete();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
