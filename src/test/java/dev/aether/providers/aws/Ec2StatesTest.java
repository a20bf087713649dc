package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.spi.NodeState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

class Ec2StatesTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"pending, PENDING", "running, RUNNING", "shutting-down, STOPPING",
      "stopping, STOPPING", "stopped, GONE", "terminated, GONE"})
  void mapsEveryDocumentedInstanceState(String ec2, NodeState ours) {
    assertThat(Ec2States.of(InstanceStateName.fromValue(ec2))).isEqualTo(ours);
  }

  @ParameterizedTest
  @EnumSource(value = InstanceStateName.class, names = "UNKNOWN_TO_SDK_VERSION")
  void aStateTheSdkDoesNotKnowIsAnErrorNotAGuess(InstanceStateName unknown) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ec2States.of(unknown))
        .hasMessageContaining("does not know");
  }

  @ParameterizedTest
  @EnumSource(NodeState.class)
  void onlyPendingAndRunningNodesAreAlive(NodeState state) {
    assertThat(state.alive()).isEqualTo(state == NodeState.PENDING || state == NodeState.RUNNING);
  }
}
