package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's hosts as the pipeline's nodes: one agent per host, each in an SSH session of the
 * host's connection (see {@link AgentSession}). The hosts were checked when the project listed
 * them ({@link SshProject#fixedNodes()}); starting copies the jar and starts the agents on all of
 * them at once. A host that fails to start is reported and the batch goes on with the others; only
 * when none starts does {@link #start} fail.
 */
final class SshMachines implements Machines {
  private static final Logger log = LoggerFactory.getLogger(SshMachines.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What the launcher knows of a node another process started: that it runs. */
  private static final ProvisionedInstance JOINED = new ProvisionedInstance("joined", 1, 1,
      false, false, Optional.empty(), Optional.empty(), Optional.of(SshProvider.NAME));

  private final SshProject project;
  private final Map<String, AgentSession> sessions = new LinkedHashMap<>();

  SshMachines(SshProject project) {
    this.project = project;
  }

  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    AgentSession.Launch launch = project.launch(bootstrap);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(16,
        instances.size())), r -> {
          Thread t = new Thread(r, "aether-ssh-start");
          t.setDaemon(true);
          return t;
        });
    List<Node> started = new ArrayList<>();
    List<AetherException> failed = new ArrayList<>();
    try {
      List<Future<AgentSession>> starts = new ArrayList<>();
      for (ProvisionedInstance i : instances) {
        SshHost host = project.host(i.type());
        String id = nodeId(host);
        starts.add(pool.submit(() -> AgentSession.start(host, id, i, launch)));
      }
      for (Future<AgentSession> f : starts) {
        try {
          AgentSession s = f.get();
          synchronized (this) {
            sessions.put(s.id(), s);
          }
          started.add(s.node());
        } catch (ExecutionException e) {
          failed.add(e.getCause() instanceof AetherException ae ? ae
              : new AetherException(AetherException.ERROR, String.valueOf(e.getCause()),
                  e.getCause()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.add(new AetherException(AetherException.ERROR, "interrupted while starting agents"));
    } finally {
      pool.shutdownNow();
    }
    if (started.isEmpty()) {
      throw new AetherException(AetherException.ERROR, "no host could start its agent: "
          + failed.get(0).getMessage(), failed.get(0));
    }
    for (AetherException e : failed) {
      log.warn("{}; the batch goes on without it", e.getMessage());
    }
    return started;
  }

  /** Unique in the pipeline and readable in {@code aether status}: the host, and a new suffix. */
  private static String nodeId(SshHost host) {
    byte[] b = new byte[2];
    RANDOM.nextBytes(b);
    return host.entry().address().host().replaceAll("[^A-Za-z0-9_.-]", "-") + "-"
        + HexFormat.of().formatHex(b);
  }

  /**
   * The agents this process started that are still starting or running and, in the launcher,
   * the machines that joined from another {@code aether join} on this machine while it runs.
   */
  @Override
  public List<Node> list() {
    List<Node> alive = new ArrayList<>();
    synchronized (this) {
      sessions.values().stream().map(AgentSession::node).filter(n -> n.state().alive())
          .forEach(alive::add);
    }
    for (String joined : project.joinedNodes()) {
      if (alive.stream().noneMatch(n -> n.id().equals(joined))) {
        alive.add(new Node(joined, JOINED, Optional.empty(), NodeState.RUNNING));
      }
    }
    return alive;
  }

  @Override
  public void stop(Node node) {
    AgentSession s;
    synchronized (this) {
      s = sessions.get(node.id());
    }
    if (s != null) {
      s.stop();
    }
  }

  /** Ends every agent this project started. */
  void stopAll() {
    List<AgentSession> all;
    synchronized (this) {
      all = List.copyOf(sessions.values());
    }
    all.parallelStream().forEach(AgentSession::stop);
  }
}
