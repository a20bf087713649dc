package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SlurmStatesTest {
  /**
   * Every name squeue's %T can print (Slurm's job_state_string: 12 base states, 12 flags), with
   * the node state each must mean. Written out here on its own, so the table cannot drift.
   */
  private static final Map<String, NodeState> EXPECTED = Map.ofEntries(
      Map.entry("PENDING", NodeState.PENDING),
      Map.entry("CONFIGURING", NodeState.PENDING),
      Map.entry("REQUEUED", NodeState.PENDING),
      Map.entry("REQUEUE_FED", NodeState.PENDING),
      Map.entry("REQUEUE_HOLD", NodeState.PENDING),
      Map.entry("RESV_DEL_HOLD", NodeState.PENDING),
      Map.entry("SPECIAL_EXIT", NodeState.PENDING),
      Map.entry("RUNNING", NodeState.RUNNING),
      Map.entry("RESIZING", NodeState.RUNNING),
      Map.entry("SIGNALING", NodeState.RUNNING),
      Map.entry("SUSPENDED", NodeState.RUNNING),
      Map.entry("STOPPED", NodeState.RUNNING),
      Map.entry("COMPLETING", NodeState.STOPPING),
      Map.entry("STAGE_OUT", NodeState.STOPPING),
      Map.entry("COMPLETED", NodeState.GONE),
      Map.entry("CANCELLED", NodeState.GONE),
      Map.entry("FAILED", NodeState.GONE),
      Map.entry("TIMEOUT", NodeState.GONE),
      Map.entry("PREEMPTED", NodeState.GONE),
      Map.entry("NODE_FAIL", NodeState.GONE),
      Map.entry("OUT_OF_MEMORY", NodeState.GONE),
      Map.entry("BOOT_FAIL", NodeState.GONE),
      Map.entry("DEADLINE", NodeState.GONE),
      Map.entry("REVOKED", NodeState.GONE));

  static Stream<Arguments> everyState() {
    return EXPECTED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyState")
  void mapsEverySlurmJobState(String slurm, NodeState expected) {
    assertThat(SlurmStates.toNodeState("42", slurm)).isEqualTo(expected);
  }

  @Test
  void knowsExactlyTheStatesSqueuePrints() {
    assertThat(SlurmStates.known()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  @Test
  void aPendingOrSuspendedJobIsAliveAndAFinishedOneIsNot() {
    assertThat(SlurmStates.toNodeState("1", "PENDING").alive()).isTrue();
    assertThat(SlurmStates.toNodeState("1", "SUSPENDED").alive()).isTrue();
    assertThat(SlurmStates.toNodeState("1", "COMPLETING").alive()).isFalse();
    assertThat(SlurmStates.toNodeState("1", "PREEMPTED").alive()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"EXPEDITING", "?", "PD", "running", ""})
  void refusesAStateItDoesNotKnowInsteadOfCallingItGone(String state) {
    assertThatThrownBy(() -> SlurmStates.toNodeState("42", state))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.UNEXPECTED_STATE))
        .hasMessageStartingWith("squeue reports job 42 in state '" + state + "'")
        .hasMessageContaining("https://slurm.schedmd.com/job_state_codes.html");
  }
}
