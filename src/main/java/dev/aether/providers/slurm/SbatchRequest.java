package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One batch job to submit: the script it runs and what it asks Slurm for. It is always one task
 * on one node ({@code --nodes=1 --ntasks=1}) with {@code cpusPerTask} CPUs: an Aether agent.
 *
 * <p>Secrets go in neither the script nor the environment: the script text is a file on the
 * shared file system and the environment is kept in slurmctld's state, where Slurm's
 * administrators can read both. Put a secret in a file of mode 0600 and name the file here.
 *
 * @param jobName {@code --job-name}, shown by squeue (and used to find a project's jobs)
 * @param scriptBody the batch script's text; starts with {@code #!} as sbatch requires
 * @param scriptFile where the script is written (mode 0700) and what sbatch is given; its
 *     folder is the job's working folder
 * @param outputFile the job's stdout and stderr ({@code --output}); its folder must exist on the
 *     node, so it belongs on the shared file system
 * @param partition {@code --partition}; empty = the cluster's default partition
 * @param account {@code --account}; empty = the user's default account
 * @param timeLimit {@code --time}; empty = the partition's default
 * @param cpusPerTask {@code --cpus-per-task}
 * @param memoryMb {@code --mem} in MB (Slurm's MB are MiB); empty = the cluster's default
 * @param extraArgs the user's {@code --sbatch-arg}s, each one argument such as
 *     {@code --qos=high}; placed before Aether's own options, which win where both set one
 * @param environment variables the job gets on top of the submitting environment (sbatch's
 *     {@code --export=ALL}); they travel in sbatch's environment, never its command line
 */
record SbatchRequest(
    String jobName,
    String scriptBody,
    Path scriptFile,
    Path outputFile,
    Optional<String> partition,
    Optional<String> account,
    Optional<Duration> timeLimit,
    int cpusPerTask,
    Optional<Long> memoryMb,
    List<String> extraArgs,
    Map<String, String> environment) {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * Options Aether sets itself and the user may not: another script ({@code --wrap}), many
   * copies ({@code --array}), another environment ({@code --export}) or another log would break
   * the agent job. Matched on the argument's start ({@code --array=1-4}, {@code -a4}).
   */
  private static final List<String> FORBIDDEN = List.of(
      "--wrap", "--array", "-a", "--export", "--output", "-o", "--error", "-e", "--parsable",
      "--chdir", "-D");

  SbatchRequest {
    requireText("job name", jobName);
    Objects.requireNonNull(scriptBody, "scriptBody");
    if (!scriptBody.startsWith("#!")) {
      throw new IllegalArgumentException("a batch script must start with #!, got: "
          + scriptBody.lines().findFirst().orElse(""));
    }
    Objects.requireNonNull(scriptFile, "scriptFile");
    Objects.requireNonNull(outputFile, "outputFile");
    partition.ifPresent(p -> requireName("--partition", p));
    account.ifPresent(a -> requireName("--account", a));
    timeLimit.ifPresent(t -> {
      if (t.isNegative() || t.isZero()) {
        throw AetherException.invalidInput("--time " + t + ": a time limit must be > 0");
      }
    });
    if (cpusPerTask <= 0) {
      throw new IllegalArgumentException("cpus per task must be > 0, got " + cpusPerTask);
    }
    memoryMb.ifPresent(m -> {
      if (m <= 0) {
        throw new IllegalArgumentException("memory must be > 0 MB, got " + m);
      }
    });
    extraArgs = List.copyOf(extraArgs);
    for (String arg : extraArgs) {
      checkExtraArg(arg);
    }
    environment = Map.copyOf(environment);
    environment.forEach((name, value) -> {
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not an environment variable name: '" + name + "'");
      }
      // SLURM_* and SBATCH_* in sbatch's environment are read as sbatch's own options.
      if (name.startsWith("SLURM_") || name.startsWith("SBATCH_")) {
        throw new IllegalArgumentException(name + " would steer sbatch itself; name it otherwise");
      }
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("environment value of " + name + " has a NUL");
      }
    });
  }

  /** Refuses a --sbatch-arg that is not an option, or that sets what Aether sets itself. */
  static void checkExtraArg(String arg) {
    if (!arg.startsWith("-")) {
      throw AetherException.invalidInput("--sbatch-arg " + arg
          + ": not an sbatch option; give each option with its value in one argument, e.g. "
          + "--sbatch-arg=--qos=high");
    }
    for (String f : FORBIDDEN) {
      boolean longForm = f.startsWith("--");
      boolean sets = longForm
          ? arg.equals(f) || arg.startsWith(f + "=")
          : arg.startsWith(f) && !arg.startsWith("--");
      if (sets) {
        throw AetherException.invalidInput("--sbatch-arg " + arg + ": Aether sets " + f
            + " itself for its agent jobs; leave it out");
      }
    }
  }

  private static void requireText(String what, String value) {
    if (value == null || value.isBlank() || value.contains("\n")) {
      throw new IllegalArgumentException(what + " must be one non-blank line, got '" + value + "'");
    }
  }

  private static void requireName(String option, String value) {
    if (value.isBlank() || !value.equals(value.strip()) || value.chars().anyMatch(c ->
        Character.isWhitespace(c) || c == ',')) {
      throw AetherException.invalidInput(option + " '" + value
          + "': a Slurm name has no spaces or commas");
    }
  }
}
