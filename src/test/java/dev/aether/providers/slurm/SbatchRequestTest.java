package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SbatchRequestTest {
  private static final String BODY = "#!/bin/bash\nexec aether agent --token-file \"$1\"\n";

  private static SbatchRequest request(List<String> extra, Map<String, String> env) {
    return new SbatchRequest("aether-proj", BODY, Path.of("/shared/proj/agent-1.sh"),
        Path.of("/shared/proj/agent-1.log"), Optional.of("debug"), Optional.of("physics"),
        Optional.of(Duration.ofHours(2)), 8, Optional.of(16_384L), extra, env);
  }

  @Test
  void asksForOneTaskOfTheRequestedSizeWithTheUsersOptionsFirst() {
    assertThat(SlurmCommands.sbatchArguments(request(List.of("--qos=high"), Map.of())))
        .containsExactly("--parsable", "--qos=high", "--job-name=aether-proj",
            "--output=/shared/proj/agent-1.log", "--chdir=/shared/proj", "--nodes=1",
            "--ntasks=1", "--cpus-per-task=8", "--mem=16384M", "--partition=debug",
            "--account=physics", "--time=0-02:00:00", "--export=ALL",
            "/shared/proj/agent-1.sh");
  }

  @Test
  void theJobsEnvironmentNeverReachesTheCommandLine() {
    List<String> args = SlurmCommands.sbatchArguments(
        request(List.of(), Map.of("AETHER_TOKEN_FILE", "/shared/proj/token-9f3a")));
    assertThat(String.join(" ", args)).doesNotContain("token-9f3a")
        .doesNotContain("AETHER_TOKEN_FILE");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--wrap=hostname", "--array=1-10", "-a5", "--export=NONE",
      "--output=x.log", "-ox.log", "--error=e.log", "--chdir=/tmp", "--parsable"})
  void refusesSbatchArgsThatWouldBreakTheAgentJob(String arg) {
    assertThatThrownBy(() -> request(List.of(arg), Map.of()))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessageStartingWith("--sbatch-arg " + arg + ": Aether sets ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--qos=high", "--constraint=avx2", "-A", "--exclusive",
      "--open-mode=append", "--account=x"})
  void acceptsOtherSbatchOptions(String arg) {
    assertThat(request(List.of(arg), Map.of()).extraArgs()).containsExactly(arg);
  }

  @Test
  void refusesAnSbatchArgThatIsNotAnOption() {
    assertThatThrownBy(() -> request(List.of("high"), Map.of()))
        .hasMessage("--sbatch-arg high: not an sbatch option; give each option with its value "
            + "in one argument, e.g. --sbatch-arg=--qos=high");
  }

  @Test
  void refusesEnvironmentThatWouldSteerSbatch() {
    assertThatThrownBy(() -> request(List.of(), Map.of("SBATCH_PARTITION", "x")))
        .hasMessageContaining("SBATCH_PARTITION would steer sbatch itself");
    assertThatThrownBy(() -> request(List.of(), Map.of("1BAD", "x")))
        .hasMessageContaining("not an environment variable name");
  }

  @Test
  void refusesAScriptWithoutAnInterpreterLine() {
    assertThatThrownBy(() -> new SbatchRequest("n", "echo hi\n", Path.of("a.sh"),
        Path.of("a.log"), Optional.empty(), Optional.empty(), Optional.empty(), 1,
        Optional.empty(), List.of(), Map.of()))
        .hasMessageContaining("must start with #!");
  }

  @Test
  void refusesAPartitionNameWithASpace() {
    assertThatThrownBy(() -> new SbatchRequest("n", BODY, Path.of("a.sh"), Path.of("a.log"),
        Optional.of("de bug"), Optional.empty(), Optional.empty(), 1, Optional.empty(),
        List.of(), Map.of()))
        .hasMessage("--partition 'de bug': a Slurm name has no spaces or commas");
  }

  /** sbatch's own error lines (Slurm's slurm_errno.c texts) and the one line a user gets. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Invalid account or account/partition combination specified|--account physics: Slurm "
          + "does not let you use this account on partition debug ('sacctmgr show associations "
          + "user=$USER' lists yours)",
      "Invalid qos specification|--sbatch-arg --qos=gold: Slurm does not know this QOS or does "
          + "not let you use it ('sacctmgr show qos' lists them)",
      "Requested time limit is invalid (missing or exceeds some limit)|--time 0-02:00:00: over "
          + "the time limit of partition debug",
      "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)|the "
          + "agent job breaks a limit of your account or QOS on partition debug: Job violates "
          + "accounting/QOS policy (job submit limit, user's size and/or time limits)",
  })
  void explainsSbatchRefusalsInOneLine(String slurmSays, String userSees) {
    AetherException e = SlurmCommands.sbatchRefused(1,
        "sbatch: error: Batch job submission failed: " + slurmSays + "\n",
        request(List.of("--qos=gold"), Map.of()));
    assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(e.getMessage()).isEqualTo(userSees);
  }

  @Test
  void anUnknownSbatchFailureIsAnErrorWithSlurmsWords() {
    AetherException e = SlurmCommands.sbatchRefused(1,
        "sbatch: error: Batch job submission failed: Slurmctld is down\n",
        request(List.of(), Map.of()));
    assertThat(e.exitStatus()).isEqualTo(AetherException.ERROR);
    assertThat(e.getMessage()).isEqualTo("sbatch failed (exit 1): Slurmctld is down");
  }
}
