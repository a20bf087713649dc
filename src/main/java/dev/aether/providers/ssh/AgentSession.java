package dev.aether.providers.ssh;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.providers.ssh.SshStates.Phase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's agent: {@code aether agent --provider ssh} run from the copied jar in an SSH
 * session, reaching the coordinator and the bucket through two reverse tunnels that end on the
 * host's loopback. The token is the first line of the session's stdin; the rest of stdin stays
 * open for the session's life, and its end (the launcher stops the node, dies, or loses the
 * connection) makes the remote side kill the agent and its jobs.
 */
final class AgentSession {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

  /** Where the jar goes on each host, from the remote user's home. */
  static final String REMOTE_JAR = ".aether/aether.jar";

  /**
   * Runs on the host with sh -c. $1 project, $2 node id, $3 cores, $4 memory GB, $5 address for
   * jobs, $6 the tunnel's port to the coordinator, $7 the tunnel's port to the bucket, $8 seconds
   * without the coordinator before the agent gives up. The token stays in a shell variable:
   * printf is a builtin, so it is on no command line. The session's process group (sshd makes
   * one per session) holds the agent and every job it started, so killing the group leaves
   * nothing of the batch behind: when stdin ends, and when the agent dies of anything but a
   * clean end.
   */
  static final String SCRIPT = """
      cd || exit 3
      IFS= read -r t || { echo 'aether: no token on standard input' >&2; exit 3; }
      w="$HOME/.aether/agent/$1/$2"
      mkdir -p "$w" || exit 3
      exec 3<&0 </dev/null
      g=$(ps -o pgid= -p $$ | tr -d ' ')
      printf '%s\\n' "$t" | java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -jar "$HOME/.aether/aether.jar" agent --provider ssh --project "$1" --node "$2" \
        --cores "$3" --memory-gb "$4" --address "$5" --coordinator "http://127.0.0.1:$6" \
        --bucket "http://127.0.0.1:$7" --lost-after "$8" --work "$w" 3<&- &
      a=$!
      t=
      ( while read -r _ <&3; do :; done; kill -KILL "-$g" 2>/dev/null ) &
      k=$!
      s=0; wait "$a" || s=$?
      kill "$k" 2>/dev/null
      if [ "$s" -ne 0 ]; then
        echo "aether: the agent ended with status $s; ending its jobs" >&2
        kill -KILL "-$g"
      fi
      rm -rf "$w"
      exit 0
      """;

  private final SshHost host;
  private final String id;
  private final ProvisionedInstance instance;
  private final Path agentLog;
  private volatile Phase phase = Phase.STARTING;
  private volatile boolean stopAsked;
  private Process session;
  private OutputStream stdin;

  private AgentSession(SshHost host, String id, ProvisionedInstance instance, Path log) {
    this.host = host;
    this.id = id;
    this.instance = instance;
    this.agentLog = log;
  }

  /** What starting one agent needs besides its host. */
  record Launch(Path jar, NodeBootstrap bootstrap, int bucketPort, Duration lostAfter,
      Path nodesDir, Duration copyTimeout) {}

  /**
   * Copies the jar (unless the host has it), opens the tunnels and starts the agent.
   *
   * @throws SshException when any step fails; nothing of it is left running
   */
  static AgentSession start(SshHost host, String id, ProvisionedInstance instance, Launch l) {
    Path dir;
    try {
      dir = Files.createDirectories(l.nodesDir().resolve(id));
    } catch (IOException e) {
      throw new SshException(SshException.Kind.FAILED, "cannot make " + l.nodesDir().resolve(id)
          + ": " + e.getMessage(), e);
    }
    AgentSession s = new AgentSession(host, id, instance, dir.resolve("agent.log"));
    try {
      s.launch(l);
      return s;
    } catch (RuntimeException e) {
      s.phase = Phase.FAILED;
      s.stop();
      throw e;
    }
  }

  private void launch(Launch l) {
    SshConnection c = host.connection();
    c.copy(l.jar(), REMOTE_JAR, l.copyTimeout());
    int coordinator = c.reverseTunnel(l.bootstrap().coordinator().getPort()).remotePort();
    int bucket = c.reverseTunnel(l.bucketPort()).remotePort();
    Process p = c.launch(SCRIPT, List.of(l.bootstrap().project(), id,
        Integer.toString(instance.processors()), Double.toString(instance.ramGb()),
        host.address(), Integer.toString(coordinator), Integer.toString(bucket),
        Long.toString(Math.max(1, l.lostAfter().toSeconds()))), agentLog);
    synchronized (this) {
      session = p;
      stdin = p.getOutputStream();
    }
    try {
      // The only way the token leaves this machine: the session's stdin, never an argument.
      stdin.write((l.bootstrap().token() + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new SshException(SshException.Kind.FAILED, "host " + host.connection().endpoint()
          .name() + ": the agent's session ended at once (" + lastWords() + ")", e);
    }
    phase = Phase.RUNNING;
    p.onExit().thenRun(this::ended);
  }

  /** Called once, when the session's local ssh process has ended. */
  private void ended() {
    int status = session.exitValue();
    // ssh's own failures are 255; the master, whose end cut the session, may take a moment more.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(status == 255 ? 2 : 0);
    while (host.connection().isOpen() && System.nanoTime() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    boolean lost = !host.connection().isOpen();
    phase = lost ? Phase.LOST : Phase.ENDED;
    if (stopAsked || status == 0) {
      return;
    }
    String name = "host " + host.connection().endpoint().name();
    String why = lost ? "the SSH connection was lost ("
        + SshErrors.lastLine(host.connection().masterMessages()) + ")"
        : "its agent stopped (" + lastWords() + ")";
    LOG.warn("{}: {} while the batch runs; its jobs go back to the queue when their leases"
        + " expire and run on the other nodes (agent log: {})", name, why, agentLog);
  }

  private String lastWords() {
    try {
      return SshErrors.lastLine(Files.readString(agentLog, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return "no log";
    }
  }

  String id() {
    return id;
  }

  Node node() {
    return new Node(id, instance, Optional.of(host.address()), SshStates.of(phase));
  }

  /**
   * Ends the agent: closing the session's stdin makes the host kill the agent and its jobs; if the
   * session has not ended within a few seconds (the host is unreachable), it is cut here.
   */
  void stop() {
    Process p;
    synchronized (this) {
      stopAsked = true;
      p = session;
      if (phase == Phase.RUNNING) {
        phase = Phase.STOPPING;
      }
    }
    if (p == null) {
      return;
    }
    try {
      stdin.close();
    } catch (IOException e) {
      // The session has ended already.
    }
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        LocalCommand.stop(p);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
