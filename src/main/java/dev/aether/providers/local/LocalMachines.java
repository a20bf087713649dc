package dev.aether.providers.local;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.agent.Agent;
import dev.aether.core.pipeline.agent.JobScript;
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
import java.nio.file.NoSuchFileException;
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
import java.util.stream.Stream;

/**
 * This machine as the pipeline's node(s): each instance of the plan becomes one agent process
 * ({@code aether agent --provider local}, a separate JVM, so that killing it is a real process
 * kill) with that instance's cores and memory. Normally the plan is one instance,
 * {@link #thisMachine()}. The token reaches the agent through its standard input, never its
 * command line; that pipe stays open while this launcher lives, and the agent ends its jobs and
 * itself when it closes, so no agent outlives its launcher, even one killed with SIGKILL.
 *
 * <p>A node that has died is cleaned up as soon as it is seen dead: whatever its jobs left running
 * is killed (they carry {@code AETHER_NODE}) and its job folders are deleted (its
 * {@code agent.log} stays, for the reason it died). Nodes of an earlier run of the project that
 * were never cleaned up (their launcher was killed too) are cleaned up when the next run starts.
 */
public final class LocalMachines implements Machines {
  private final AetherProgram aether;
  private final String project;
  private final LocalStorage bucket;
  private final Path nodesDir;
  private final Duration lostAfter;
  private final Map<String, Started> nodes = new LinkedHashMap<>();

  private static final String AGENT_LOG = "agent.log";

  private static final class Started {
    final Node node;
    final Process process;
    /** The agent's standard input: closing it stops the agent. */
    final OutputStream stdin;
    final Path dir;
    boolean cleaned;

    Started(Node node, Process process, OutputStream stdin, Path dir) {
      this.node = node;
      this.process = process;
      this.stdin = stdin;
      this.dir = dir;
    }

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
    cleanUpEarlierRuns();
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
        "--lost-after", Double.toString(lostAfter.toMillis() / 1000.0),
        "--stop-when-stdin-closes"));
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(AGENT_LOG).toFile()))
        .start();
    Node node = new Node(id, instance, Optional.of("127.0.0.1"), NodeState.RUNNING);
    // The token goes through the pipe, never the command line (visible in ps) or a file. The
    // pipe stays open: its end tells the agent that this launcher is gone.
    OutputStream in = p.getOutputStream();
    nodes.put(id, new Started(node, p, in, dir));
    in.write((bootstrap.token() + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    return node;
  }

  /** The nodes whose agent runs; a node seen dead here is cleaned up first. */
  @Override
  public List<Node> list() {
    List<Started> all;
    synchronized (this) {
      all = List.copyOf(nodes.values());
    }
    List<Node> alive = new ArrayList<>();
    for (Started s : all) {
      Node now = s.now();
      if (now.state().alive()) {
        alive.add(now);
      } else {
        cleanUp(s);
      }
    }
    return alive;
  }

  /** A node started here, alive or gone. */
  @Override
  public synchronized Optional<Node> find(String id) {
    return Optional.ofNullable(nodes.get(id)).map(Started::now);
  }

  /**
   * Why a local node ended: its agent's exit status and the last line of its log, which says why
   * it stopped when it could (e.g. a disk it could not write).
   */
  @Override
  public Optional<String> whyGone(Node node) {
    Started s;
    synchronized (this) {
      s = nodes.get(node.id());
    }
    if (s == null || s.process.isAlive()) {
      return Optional.empty();
    }
    int status = s.process.exitValue();
    String how = status > 128 && status < 160 ? "was killed (signal " + (status - 128) + ")"
        : "exited with status " + status;
    Path log = s.dir.resolve(AGENT_LOG);
    return Optional.of("its agent " + how + lastLine(log).map(l -> "; its log ends: " + l)
        .orElse("") + " (" + log + ")");
  }

  /**
   * Stops a node: closes the agent's standard input (it then kills its jobs and exits), asks it to
   * end (SIGTERM), forces it after 5 s, then kills anything its jobs left and cleans up.
   */
  @Override
  public void stop(Node node) {
    Started s;
    synchronized (this) {
      s = nodes.get(node.id());
    }
    if (s == null) {
      return;
    }
    try {
      s.stdin.close();
    } catch (IOException e) {
      // already closed
    }
    if (s.process.isAlive()) {
      s.process.destroy();
      try {
        if (!s.process.waitFor(5, TimeUnit.SECONDS)) {
          s.process.destroyForcibly();
          s.process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        s.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    cleanUp(s);
  }

  /** The agent process of {@code node}, for tests that kill it. */
  public synchronized Optional<ProcessHandle> process(Node node) {
    return Optional.ofNullable(nodes.get(node.id())).map(s -> s.process.toHandle());
  }

  /** Nodes started so far, alive or not. */
  public synchronized List<Node> started() {
    return nodes.values().stream().map(Started::now).toList();
  }

  /** Kills what a dead node's jobs left running, and deletes its folders but its log. Once. */
  private void cleanUp(Started s) {
    synchronized (this) {
      if (s.cleaned) {
        return;
      }
      s.cleaned = true;
    }
    cleanUp(s.node.id(), s.dir);
  }

  private static void cleanUp(String id, Path dir) {
    Agent.killJobsOf(id);
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (!p.getFileName().toString().equals(AGENT_LOG)) {
          JobScript.deleteTree(p);
        }
      }
    } catch (NoSuchFileException e) {
      // nothing to clean
    } catch (IOException e) {
      // Left for the next run's clean-up; nothing depends on it.
    }
  }

  /**
   * Nodes of this project's earlier runs, left behind when their launcher was killed: ends what
   * their jobs left running and deletes their job folders (each run's nodes have new ids).
   */
  private void cleanUpEarlierRuns() {
    if (!Files.isDirectory(nodesDir)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(nodesDir)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String id = d.getFileName().toString();
        boolean ours;
        synchronized (this) {
          ours = nodes.containsKey(id);
        }
        if (!ours && Files.isDirectory(d)) {
          cleanUp(id, d);
        }
      }
    } catch (IOException e) {
      // nothing to clean
    }
  }

  private static Optional<String> lastLine(Path log) {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      int tail = (int) Math.min(len, 2000);
      byte[] b = new byte[tail];
      f.seek(len - tail);
      f.readFully(b);
      String[] lines = new String(b, StandardCharsets.UTF_8).strip().split("\n");
      String last = lines[lines.length - 1].strip();
      return last.isEmpty() ? Optional.empty() : Optional.of(last);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
