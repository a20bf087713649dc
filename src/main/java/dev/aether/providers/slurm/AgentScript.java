package dev.aether.providers.slurm;

import dev.aether.core.spi.AetherProgram;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The batch script of an agent job. It holds no secret (Slurm keeps a copy that the cluster's
 * administrators can read): the token is read from a file of mode 0600 that it names.
 */
final class AgentScript {
  private AgentScript() {}

  /**
   * What one agent is told on its command line.
   *
   * @param tokenFile the file holding the pipeline's token (mode 0600)
   * @param cores CPUs the agent tells the coordinator it has for jobs
   * @param memoryGb memory it tells the coordinator it has for jobs (its allocation less its own)
   */
  record Agent(URI coordinator, String project, Path bucket, Path tokenFile, int cores,
      double memoryGb, Duration lostAfter) {
    Agent {
      Objects.requireNonNull(coordinator, "coordinator");
      Objects.requireNonNull(project, "project");
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(tokenFile, "tokenFile");
    }
  }

  /**
   * The script: makes a job folder on the node's local disk ({@code $TMPDIR}, else /tmp), then
   * {@code exec}s the agent, so that the agent is the batch step's main process and gets Slurm's
   * {@code --signal=B:...} warning itself. Every word is single-quoted for the shell.
   */
  static String body(AetherProgram aether, Agent a) {
    List<String> args = new ArrayList<>(List.of("agent", "--provider", SlurmProvider.NAME,
        "--coordinator", a.coordinator().toString(),
        "--project", a.project(),
        "--bucket", a.bucket().toAbsolutePath().toString(),
        "--token-file", a.tokenFile().toAbsolutePath().toString(),
        "--cores", Integer.toString(a.cores()),
        "--memory-gb", Double.toString(a.memoryGb()),
        "--lost-after", Long.toString(Math.max(1, a.lostAfter().toSeconds()))));
    String command = aether.with(args).stream().map(AgentScript::quote)
        .collect(Collectors.joining(" "));
    return "#!/bin/bash\n"
        + "# An Aether agent for project " + a.project() + ": runs the batch's jobs for the\n"
        + "# coordinator on the login node until the batch is over. Written by aether.\n"
        + "work=$(mktemp -d \"${TMPDIR:-/tmp}/aether-agent.XXXXXX\") || exit 1\n"
        + "exec " + command + " --work \"$work\"\n";
  }

  /** One word for the shell, in single quotes: nothing in it is expanded. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
