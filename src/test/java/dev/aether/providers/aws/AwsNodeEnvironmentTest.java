package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsNodeEnvironmentTest {
  @Test
  void pollsTheInterruptionNoticeEveryFiveSecondsUnlessATestSaysOtherwise() {
    assertThat(AwsProvider.interruptionPoll(Map.of())).isEqualTo(Duration.ofSeconds(5));
    assertThat(AwsProvider.interruptionPoll(Map.of(AwsProvider.POLL_ENV, "1")))
        .isEqualTo(Duration.ofSeconds(1));
    for (String bad : new String[] {"0", "61", "0.5", "soon"}) {
      assertThatThrownBy(() -> AwsProvider.interruptionPoll(Map.of(AwsProvider.POLL_ENV, bad)))
          .isInstanceOf(AetherException.class).hasMessageContaining(AwsProvider.POLL_ENV);
    }
  }
}
