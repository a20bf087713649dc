package dev.aether.cli;

import dev.aether.core.pipeline.agent.Agent;
import java.util.Map;

/**
 * What a job script's exit status usually means, for the failure summary. 126-165 follow the
 * shell's conventions (126 not executable, 127 not found, 128+N killed by signal N); see
 * https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html
 */
final class ExitCodes {
  private static final Map<Integer, String> MEANING = Map.of(
      1, "error",
      2, "misuse or invalid input",
      Agent.TIMED_OUT, "ran over --job-timeout and was killed",
      126, "the script or a command is not executable",
      127, "command not found",
      130, "interrupted (SIGINT)",
      134, "aborted (SIGABRT)",
      137, "killed (SIGKILL: often out of memory)",
      139, "segmentation fault (SIGSEGV)",
      143, "terminated (SIGTERM)");

  private ExitCodes() {}

  /** " (command not found)" for 127, "" when there is nothing to say. */
  static String meaning(int exit) {
    String m = MEANING.get(exit);
    if (m == null && exit > 128 && exit < 160) {
      m = "killed by signal " + (exit - 128);
    }
    return m == null ? "" : " (" + m + ")";
  }
}
