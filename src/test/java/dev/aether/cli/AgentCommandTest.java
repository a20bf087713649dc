package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentCommandTest {
  @Test
  void pollsTheInterruptionNoticeEveryFiveSecondsUnlessATestSaysOtherwise() {
    assertThat(AgentCommand.interruptionPoll(Map.of())).isEqualTo(Duration.ofSeconds(5));
    assertThat(AgentCommand.interruptionPoll(Map.of(AgentCommand.POLL_ENV, "1")))
        .isEqualTo(Duration.ofSeconds(1));
    for (String bad : new String[] {"0", "61", "0.5", "soon"}) {
      assertThatThrownBy(() -> AgentCommand.interruptionPoll(Map.of(AgentCommand.POLL_ENV, bad)))
          .isInstanceOf(AetherException.class).hasMessageContaining(AgentCommand.POLL_ENV);
    }
  }
}
