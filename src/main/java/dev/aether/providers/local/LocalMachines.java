package dev.aether.providers.local;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.ThisMachine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * This machine as the pipeline's node(s): each instance of the plan becomes one agent process
 * ({@code aether agent --provider local}, a separate JVM, so that killing it is a real process
 * kill) with that instance's cores and memory. Normally the plan is one instance,
 * {@link #thisMachine()}. The token reaches the agent through its standard input, never its
 * command line.
 */
public final class LocalMachines implements Machines {
  private final AetherProgram aether;
  private final String project;
  private final LocalStorage bucket;
  private final Path nodesDir;
  private final Duration lostAfter;
  private final Map<String, Started> nodes = new LinkedHashMap<>();

  private record Started(Node node, Process process) {
    /** The node in its state now: a local node is its agent process, alive or gone. */
    Node now() {
      return node.in(process.isAlive() ? NodeState.RUNNING : NodeState.GONE);
    }
  }

  /**
   * @param aether how to start {@code aether} as a process on this machine
   * @param project the project name
   * @param bucket the project's bucket folder, which agents use directly
   * @param nodesDir where each node gets a folder for its jobs and its {@code agent.log}
   * @param lostAfter an agent whose coordinator is unreachable this long ends its jobs and exits
   */
  public LocalMachines(AetherProgram aether, String project, LocalStorage bucket, Path nodesDir,
      Duration lostAfter) {
    this.aether = aether;
    this.project = project;
    this.bucket = bucket;
    this.nodesDir = nodesDir;
    this.lostAfter = lostAfter;
  }

  /** This machine as one instance: its cores and its memory. */
  public static ProvisionedInstance thisMachine() {
    return new ProvisionedInstance("local", ThisMachine.cores(), ThisMachine.memoryGb(), true,
        false, Optional.empty(),
        Optional.empty(), Optional.of("local"));
  }

  @Override
  public synchronized List<Node> start(List<ProvisionedInstance> instances,
      NodeBootstrap bootstrap) {
    String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    List<Node> started = new ArrayList<>();
    try {
      for (int i = 0; i < instances.size(); i++) {
        // Ids are fresh per start so a node left over from a killed run never shares a folder.
        String id = "local-" + run + "-" + (i + 1);
        started.add(launch(id, instances.get(i), bootstrap));
      }
      return started;
    } catch (IOException | RuntimeException e) {
      started.forEach(this::stop);
      throw new AetherException(AetherException.ERROR,
          "cannot start a local agent process: " + e.getMessage(), e);
    }
  }

  private Node launch(String id, ProvisionedInstance instance, NodeBootstrap bootstrap)
      throws IOException {
    Path dir = Files.createDirectories(nodesDir.resolve(id));
    List<String> command = aether.with(List.of("agent", "--provider", "local",
        "--coordinator", bootstrap.coordinator().toString(),
        "--project", project,
        "--bucket", bucket.root().toString(),
        "--node", id,
        "--work", dir.toString(),
        "--cores", Integer.toString(instance.processors()),
        "--memory-gb", Double.toString(instance.ramGb()),
        "--address", "127.0.0.1",
        "--lost-after", Double.toString(lostAfter.toMillis() / 1000.0)));
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()))
        .start();
    Node node = new Node(id, instance, Optional.of("127.0.0.1"), NodeState.RUNNING);
    nodes.put(id, new Started(node, p));
    // The token goes through the pipe, never the command line (visible in ps) or a file.
    try (OutputStream in = p.getOutputStream()) {
      in.write((bootstrap.token() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return node;
  }

  @Override
  public synchronized List<Node> list() {
    return nodes.values().stream().map(Started::now).filter(n -> n.state().alive()).toList();
  }

  @Override
  public void stop(Node node) {
    Started s;
    synchronized (this) {
      s = nodes.get(node.id());
    }
    if (s == null || !s.process().isAlive()) {
      return;
    }
    List<ProcessHandle> jobs = s.process().descendants().toList();
    s.process().destroy();
    try {
      if (!s.process().waitFor(5, TimeUnit.SECONDS)) {
        s.process().destroyForcibly();
      }
    } catch (InterruptedException e) {
      s.process().destroyForcibly();
      Thread.currentThread().interrupt();
    }
    jobs.forEach(ProcessHandle::destroyForcibly);
  }

  /** The agent process of {@code node}, for tests that kill it. */
  public synchronized Optional<ProcessHandle> process(Node node) {
    return Optional.ofNullable(nodes.get(node.id())).map(s -> s.process().toHandle());
  }

  /** Nodes started so far, alive or not. */
  public synchronized List<Node> started() {
    return nodes.values().stream().map(Started::now).toList();
  }
}
