package dev.aether.core.project;

/**
 * Every key of the project bucket, in one place (S3 bucket, Azure container or local folder):
 *
 * <pre>
 * script/&lt;file&gt;          the job script (-S)
 * bin/                    the user's helper programs (-B), reachable as bin/ by every job
 * data/                   the user's data (-D), reachable as data/ by every job
 * args.txt                the args file (-A), one job per line
 * prov.psv                the plan the batch runs on
 * output/                 what the jobs write to $5
 * logs/&lt;n&gt;.log           each job's standard output and error
 * state/ledger.db         checkpoint of the job ledger (a rerun elsewhere resumes from it)
 * state/project           marks the bucket as this project's
 * state/run.properties    a remote run's settings, for the coordinator node
 * state/result.properties how a remote run ended, for the launcher
 * state/status.properties a remote run's progress (counts, notes), small, for the launcher
 * logs/nodes/&lt;id&gt;/       a node's boot log and console output, when it failed to join
 * aether/aether.jar       the program nodes run
 * aether/catalog.csv      the offers the plan was bid from (for replacements)
 * aether/limits.json      the limits it was bid under
 * secrets/pipeline-token  a remote run's token while it runs, readable by the nodes' role only
 * </pre>
 */
public final class BucketLayout {
  public static final String SCRIPT_PREFIX = "script/";
  public static final String BIN_PREFIX = "bin/";
  public static final String DATA_PREFIX = "data/";
  public static final String ARGS = "args.txt";
  public static final String PLAN = "prov.psv";
  public static final String OUTPUT_PREFIX = "output/";
  public static final String LOGS_PREFIX = "logs/";
  public static final String LEDGER_CHECKPOINT = "state/ledger.db";
  public static final String PROJECT_MARKER = "state/project";
  public static final String RUN_MANIFEST = "state/run.properties";
  public static final String RUN_RESULT = "state/result.properties";
  public static final String RUN_STATUS = "state/status.properties";
  public static final String NODE_LOGS_PREFIX = "logs/nodes/";
  public static final String AGENT_JAR = "aether/aether.jar";
  public static final String CATALOG = "aether/catalog.csv";
  public static final String LIMITS = "aether/limits.json";
  public static final String TOKEN = "secrets/pipeline-token";

  private BucketLayout() {}

  /** The key of the job script called {@code fileName}. */
  public static String script(String fileName) {
    return SCRIPT_PREFIX + fileName;
  }

  /** The key of job {@code number}'s log. */
  public static String log(int number) {
    return LOGS_PREFIX + number + ".log";
  }

  /** The key of node {@code id}'s boot log, which its boot script uploads when it fails. */
  public static String nodeBootLog(String id) {
    return NODE_LOGS_PREFIX + id + "/boot.log";
  }

  /** The key of node {@code id}'s console output, kept when it did not join. */
  public static String nodeConsole(String id) {
    return NODE_LOGS_PREFIX + id + "/console.txt";
  }

  /** The key of a job's output file, {@code relative} to its output folder ({@code /}-separated). */
  public static String output(String relative) {
    return OUTPUT_PREFIX + relative;
  }
}
