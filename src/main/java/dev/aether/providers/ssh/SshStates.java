package dev.aether.providers.ssh;

import dev.aether.core.spi.NodeState;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the SSH side of one node is doing, and the {@link NodeState} each means: the SSH
 * provider's one table of states. A node is one agent on one host, carried by one SSH session.
 */
final class SshStates {
  /** The life of one host's agent session, as the launcher sees it. */
  enum Phase {
    /** Copying the jar there, opening the tunnels, starting the session. */
    STARTING,
    /** The session runs, and so does the agent in it. */
    RUNNING,
    /** Asked to stop (its stdin is closed, which ends the agent and its jobs); not ended yet. */
    STOPPING,
    /** The session ended: the agent exited (the batch is over, or it was killed). */
    ENDED,
    /** The SSH connection under the session went away (host down, network lost). */
    LOST,
    /** It never ran: the copy, a tunnel or the session could not be made. */
    FAILED
  }

  private static final Map<Phase, NodeState> TABLE = new EnumMap<>(Map.of(
      Phase.STARTING, NodeState.PENDING,
      Phase.RUNNING, NodeState.RUNNING,
      Phase.STOPPING, NodeState.STOPPING,
      Phase.ENDED, NodeState.GONE,
      Phase.LOST, NodeState.GONE,
      Phase.FAILED, NodeState.GONE));

  private SshStates() {}

  static NodeState of(Phase phase) {
    return TABLE.get(phase);
  }
}
