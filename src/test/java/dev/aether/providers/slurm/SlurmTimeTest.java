package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlurmTimeTest {
  @ParameterizedTest(name = "{0} = {1} s")
  @CsvSource({
      "30, 1800",              // minutes
      "30:15, 1815",           // minutes:seconds
      "01:30:00, 5400",        // hours:minutes:seconds
      "2-12, 216000",          // days-hours
      "2-12:30, 217800",       // days-hours:minutes
      "7-00:00:00, 604800",    // days-hours:minutes:seconds
  })
  void readsEveryFormSbatchAccepts(String text, long seconds) {
    assertThat(SlurmTime.parse(text)).hasValue(Duration.ofSeconds(seconds));
  }

  @Test
  void unlimitedIsNoLimit() {
    assertThat(SlurmTime.parse("UNLIMITED")).isEqualTo(Optional.empty());
    assertThat(SlurmTime.parse("INFINITE")).isEqualTo(Optional.empty());
  }

  @Test
  void refusesWhatIsNotATime() {
    assertThatThrownBy(() -> SlurmTime.parse("1h")).hasMessage("not a Slurm time: '1h'");
  }

  @Test
  void writesDaysHoursMinutesSecondsThatReadBack() {
    Duration d = Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4);
    assertThat(SlurmTime.format(d)).isEqualTo("1-02:03:04");
    assertThat(SlurmTime.parse(SlurmTime.format(d))).hasValue(d);
    assertThat(SlurmTime.minutes(Duration.ofSeconds(61))).isEqualTo(2);
    assertThatThrownBy(() -> SlurmTime.format(Duration.ZERO)).hasMessageContaining("> 0");
  }
}
