package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.spi.NodeState;
import dev.aether.providers.ssh.SshStates.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SshStatesTest {
  @ParameterizedTest
  @CsvSource({"STARTING, PENDING", "RUNNING, RUNNING", "STOPPING, STOPPING", "ENDED, GONE",
      "LOST, GONE", "FAILED, GONE"})
  void eachPhaseOfASessionIsOneNodeState(Phase phase, NodeState state) {
    assertThat(SshStates.of(phase)).isEqualTo(state);
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void everyPhaseIsInTheTable(Phase phase) {
    assertThat(SshStates.of(phase)).isNotNull();
  }
}
