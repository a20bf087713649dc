package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * EC2 instance states in the provider boundary's words: the one table. See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 */
final class Ec2States {
  private static final Map<InstanceStateName, NodeState> TABLE = Map.of(
      InstanceStateName.PENDING, NodeState.PENDING,
      InstanceStateName.RUNNING, NodeState.RUNNING,
      InstanceStateName.SHUTTING_DOWN, NodeState.STOPPING,
      InstanceStateName.STOPPING, NodeState.STOPPING,
      // Aether's nodes terminate on shutdown; a stopped one (stopped by hand) runs nothing.
      InstanceStateName.STOPPED, NodeState.GONE,
      InstanceStateName.TERMINATED, NodeState.GONE);

  private Ec2States() {}

  static NodeState of(InstanceStateName state) {
    NodeState s = TABLE.get(state);
    if (s == null) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "EC2 reported an instance state Aether does not know: " + state);
    }
    return s;
  }
}
