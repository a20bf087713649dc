package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The user's cluster options, checked before anything else happens. */
class SlurmSettingsTest {
  private static SlurmProvider.Settings with(Optional<String> time, Optional<Integer> nodes,
      List<String> sbatchArgs, Optional<String> host) {
    return new SlurmProvider.Settings(Optional.empty(), Optional.empty(), time, nodes,
        sbatchArgs, Optional.empty(), host, Optional.empty());
  }

  @ParameterizedTest
  @CsvSource({"01:30:00, PT1H30M", "90, PT1H30M", "2-00:00:00, PT48H", "1-12, PT36H",
      "0:45, PT45S"})
  void takesEverySbatchTimeForm(String text, Duration expected) {
    assertThat(with(Optional.of(text), Optional.empty(), List.of(), Optional.empty())
        .timeLimit()).contains(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--time|soon|--time soon: not a Slurm time; write HH:MM:SS, or D-HH:MM:SS for days",
    "--time|00:00:00|--time 00:00:00: a time limit must be > 0",
    "--nodes|0|--nodes must be at least 1, got 0",
    "--sbatch-arg|--array=1-4|--sbatch-arg --array=1-4: Aether sets --array itself for its"
        + " agent jobs; leave it out",
    "--sbatch-arg|qos=high|--sbatch-arg qos=high: not an sbatch option; give each option with"
        + " its value in one argument, e.g. --sbatch-arg=--qos=high",
    "--coordinator-host|two words|--coordinator-host 'two words': give one host name or"
        + " address"})
  void refusesABadValueNamingItsOption(String option, String value, String message) {
    assertThatThrownBy(() -> with(
        option.equals("--time") ? Optional.of(value) : Optional.empty(),
        option.equals("--nodes") ? Optional.of(Integer.parseInt(value)) : Optional.empty(),
        option.equals("--sbatch-arg") ? List.of(value) : List.of(),
        option.equals("--coordinator-host") ? Optional.of(value) : Optional.empty()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage(message);
  }
}
