package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Slurm's commands as Aether uses them: {@code sbatch}, {@code squeue}, {@code scancel},
 * {@code scontrol show partition} and {@code sinfo}, each run through {@link ProcessBuilder}
 * (never a shell) with machine-readable output, and each failure turned into one line that says
 * what to do.
 */
final class SlurmCommands {
  static final String NOT_ON_PATH =
      "--provider slurm: %s is not on PATH; run aether on a login node of your cluster";

  /** The state of one job as squeue shows it; a job squeue no longer knows is GONE. */
  record JobStatus(String jobId, Optional<String> slurmState, String reason, NodeState state) {
    JobStatus {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * A partition as {@code scontrol show partition} describes it.
   *
   * @param maxCpusPerNode {@code MaxCPUsPerNode}: CPUs one node gives this partition's jobs
   * @param maxMemPerNodeMb {@code MaxMemPerNode} in MB
   * @param maxTime {@code MaxTime}; empty = unlimited
   */
  record Partition(String name, boolean isDefault, String state, Optional<Integer> maxCpusPerNode,
      Optional<Long> maxMemPerNodeMb, Optional<Duration> maxTime) {
    Partition {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
    }
  }

  /** One node of a partition as {@code sinfo --Node} shows it: CPUs, memory in MB, state. */
  record NodeInfo(String name, int cpus, long memoryMb, String state) {
    NodeInfo {
      Objects.requireNonNull(name, "name");
      if (cpus < 0 || memoryMb < 0) {
        throw new IllegalArgumentException("node " + name + ": negative size");
      }
    }
  }

  private static final Pattern JOB_ID = Pattern.compile("\\d+");
  private static final String FIELD = "|";

  private final Map<String, String> environment;
  private final Duration timeout;

  /**
   * @param environment added to every command's environment (the tests' {@code SLURM_CONF});
   *     may set PATH, which is where the commands are looked for
   * @param timeout how long one command may take before it counts as hung
   */
  SlurmCommands(Map<String, String> environment, Duration timeout) {
    this.environment = Map.copyOf(environment);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Slurm as this process's environment finds it: the user's login node. */
  static SlurmCommands fromEnvironment() {
    return new SlurmCommands(Map.of(), Duration.ofSeconds(60));
  }

  /** Fails with the one line a user needs when sbatch cannot be found. */
  void requireSbatch() {
    executable("sbatch");
  }

  /** Whether {@code command} is on the PATH the commands run with. */
  boolean has(String command) {
    try {
      executable(command);
      return true;
    } catch (AetherException e) {
      return false;
    }
  }

  /** The sbatch arguments for a request, without the program: what {@link #submit} runs. */
  static List<String> sbatchArguments(SbatchRequest r) {
    List<String> args = new ArrayList<>();
    args.add("--parsable");
    // The user's options first: where both set the same option, sbatch keeps the last one,
    // so Aether's own (which the agent depends on) win.
    args.addAll(r.extraArgs());
    args.add("--job-name=" + r.jobName());
    args.add("--output=" + r.outputFile());
    args.add("--chdir=" + r.scriptFile().toAbsolutePath().getParent());
    args.add("--nodes=1");
    args.add("--ntasks=1");
    args.add("--cpus-per-task=" + r.cpusPerTask());
    r.memoryMb().ifPresent(m -> args.add("--mem=" + m + "M"));
    r.partition().ifPresent(p -> args.add("--partition=" + p));
    r.account().ifPresent(a -> args.add("--account=" + a));
    r.timeLimit().ifPresent(t -> args.add("--time=" + SlurmTime.format(t)));
    // The job gets sbatch's whole environment, which carries the request's variables.
    args.add("--export=ALL");
    args.add(r.scriptFile().toAbsolutePath().toString());
    return args;
  }

  /**
   * Writes the script (mode 0700) and submits it.
   *
   * @return the job id
   * @throws AetherException exit 2 when Slurm refuses the request (partition, account, size,
   *     time), with one line naming the option at fault; nothing is then queued
   */
  String submit(SbatchRequest request) {
    Path sbatch = executable("sbatch");
    writeScript(request.scriptFile(), request.scriptBody());
    Map<String, String> env = new HashMap<>(request.environment());
    Result r = run(sbatch, sbatchArguments(request), env);
    if (r.exit() != 0) {
      throw sbatchRefused(r.exit(), r.stderr(), request);
    }
    // --parsable prints "jobid" or "jobid;cluster".
    String id = r.stdout().strip().split(";", 2)[0];
    if (!JOB_ID.matcher(id).matches()) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "sbatch --parsable printed '" + r.stdout().strip() + "', not a job id");
    }
    return id;
  }

  /**
   * Asks Slurm whether it would take {@code request} ({@code sbatch --test-only}): partition,
   * account, QOS, size and the user's options are checked as for a real submission, and nothing
   * is queued. The script is written (it holds no secret), since sbatch reads it.
   *
   * @throws AetherException exit 2 as {@link #submit} would, naming the option at fault
   */
  void test(SbatchRequest request) {
    Path sbatch = executable("sbatch");
    writeScript(request.scriptFile(), request.scriptBody());
    List<String> args = new ArrayList<>(List.of("--test-only"));
    args.addAll(sbatchArguments(request));
    Result r = run(sbatch, args, new HashMap<>(request.environment()));
    if (r.exit() != 0) {
      throw sbatchRefused(r.exit(), r.stderr(), request);
    }
  }

  /**
   * This user's jobs named {@code jobName} that have not ended (squeue's default states:
   * pending, running, suspended, completing, ...), whichever run submitted them.
   */
  List<JobStatus> named(String jobName) {
    if (jobName.isBlank() || jobName.contains(",") || jobName.contains("\n")) {
      throw new IllegalArgumentException("not a job name: '" + jobName + "'");
    }
    Result r = run(executable("squeue"), List.of("--noheader", "--me", "--name=" + jobName,
        "--format=%i|%T|%r"), Map.of());
    if (r.exit() != 0) {
      throw failed("squeue", r);
    }
    List<JobStatus> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        out.add(parseStatus(line));
      }
    }
    return out;
  }

  /**
   * Where slurmctld listens, from {@code scontrol show config}: its address (SlurmctldAddr, else
   * the address in {@code SlurmctldHost[0] = name(address)}, else the name) and its port.
   */
  Controller controller() {
    Result r = run(executable("scontrol"), List.of("show", "config"), Map.of());
    if (r.exit() != 0) {
      throw failed("scontrol show config", r);
    }
    return parseController(r.stdout());
  }

  /** slurmctld's host (an address or a name) and port. */
  record Controller(String host, int port) {
    Controller {
      Objects.requireNonNull(host, "host");
    }
  }

  static Controller parseController(String config) {
    Map<String, String> kv = new HashMap<>();
    for (String line : config.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        kv.putIfAbsent(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    String host = Optional.ofNullable(kv.get("SlurmctldAddr")).filter(a -> !a.equals("(null)"))
        .orElseGet(() -> {
          String h = kv.getOrDefault("SlurmctldHost[0]", "");
          int open = h.indexOf('(');
          return open >= 0 && h.endsWith(")") ? h.substring(open + 1, h.length() - 1)
              : h;
        });
    String port = kv.getOrDefault("SlurmctldPort", "6817").replaceFirst("-.*$", "");
    if (host.isBlank() || !port.matches("\\d+")) {
      throw unexpected("scontrol show config", "SlurmctldHost[0] = " + host + ", SlurmctldPort = "
          + port);
    }
    return new Controller(host, Integer.parseInt(port));
  }

  /**
   * The state of each job, in the order asked. A job squeue does not list has ended long enough
   * ago that slurmctld dropped its record (after {@code MinJobAge}, 300 s by default): GONE.
   */
  Map<String, JobStatus> queue(Collection<String> jobIds) {
    Map<String, JobStatus> out = new LinkedHashMap<>();
    if (jobIds.isEmpty()) {
      return out;
    }
    jobIds.forEach(SlurmCommands::requireJobId);
    Result r = run(executable("squeue"), List.of("--noheader", "--states=all",
        "--jobs=" + String.join(",", jobIds), "--format=%i|%T|%r"), Map.of());
    Map<String, JobStatus> listed = new HashMap<>();
    if (r.exit() == 0) {
      for (String line : r.stdout().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JobStatus s = parseStatus(line);
        listed.put(s.jobId(), s);
      }
    } else if (!r.stderr().contains("Invalid job id specified")) {
      // squeue answers this when none of the ids is known any more; anything else (slurmctld
      // down, no route) must not read as "every node is gone".
      throw failed("squeue", r);
    }
    for (String id : jobIds) {
      out.put(id, listed.getOrDefault(id,
          new JobStatus(id, Optional.empty(), "not in squeue", NodeState.GONE)));
    }
    return out;
  }

  /** One line of squeue's {@code %i|%T|%r}. */
  private static JobStatus parseStatus(String line) {
    String[] f = line.strip().split(Pattern.quote(FIELD), 3);
    if (f.length < 2) {
      throw unexpected("squeue", line);
    }
    return new JobStatus(f[0], Optional.of(f[1]), f.length > 2 ? f[2] : "",
        SlurmStates.toNodeState(f[0], f[1]));
  }

  /** Cancels jobs; cancelling one that has already ended is not an error. */
  void cancel(Collection<String> jobIds) {
    if (jobIds.isEmpty()) {
      return;
    }
    jobIds.forEach(SlurmCommands::requireJobId);
    List<String> args = new ArrayList<>(List.of("--quiet"));
    args.addAll(jobIds);
    Result r = run(executable("scancel"), args, Map.of());
    if (r.exit() != 0) {
      throw failed("scancel", r);
    }
  }

  /** Every partition, hidden ones too (a user may be allowed to submit to those). */
  List<Partition> partitions() {
    Result r = run(executable("scontrol"),
        List.of("--all", "--oneliner", "show", "partition"), Map.of());
    if (r.exit() != 0) {
      throw failed("scontrol show partition", r);
    }
    List<Partition> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        out.add(parsePartition(line));
      }
    }
    return out;
  }

  /** The nodes of one partition, with their CPUs and memory. */
  List<NodeInfo> nodes(String partition) {
    Result r = run(executable("sinfo"), List.of("--noheader", "--Node",
        "--partition=" + partition, "--format=%N|%c|%m|%t"), Map.of());
    if (r.exit() != 0) {
      throw failed("sinfo", r);
    }
    List<NodeInfo> out = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split(Pattern.quote(FIELD));
      if (f.length != 4) {
        throw unexpected("sinfo", line);
      }
      try {
        out.add(new NodeInfo(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), f[3]));
      } catch (NumberFormatException e) {
        throw unexpected("sinfo", line);
      }
    }
    return out;
  }

  /** One line of {@code scontrol --oneliner show partition}: space-separated Key=Value. */
  static Partition parsePartition(String line) {
    Map<String, String> kv = new HashMap<>();
    for (String token : line.strip().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        kv.put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    String name = kv.get("PartitionName");
    if (name == null) {
      throw unexpected("scontrol show partition", line);
    }
    try {
      return new Partition(name, "YES".equals(kv.get("Default")), kv.getOrDefault("State", "?"),
          limit(kv.get("MaxCPUsPerNode")).map(Math::toIntExact), limit(kv.get("MaxMemPerNode")),
          kv.containsKey("MaxTime") ? SlurmTime.parse(kv.get("MaxTime")) : Optional.empty());
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw unexpected("scontrol show partition", line);
    }
  }

  /** Turns sbatch's refusal into one line naming the option at fault. */
  static AetherException sbatchRefused(int exit, String stderr, SbatchRequest r) {
    String where = r.partition().map(p -> "partition " + p).orElse("the default partition");
    String why = lastError(stderr);
    if (why.contains("Invalid partition name specified")) {
      return AetherException.invalidInput(r.partition()
          .map(p -> "--partition " + p + ": Slurm has no such partition")
          .orElse("--partition: this cluster has no default partition; name one")
          + " (sinfo --summarize lists them)");
    }
    if (why.contains("Invalid account or account/partition combination")) {
      return AetherException.invalidInput(r.account()
          .map(a -> "--account " + a + ": Slurm does not let you use this account")
          .orElse("--account: you have no default account; name one")
          + " on " + where + " ('sacctmgr show associations user=$USER' lists yours)");
    }
    if (why.contains("Invalid qos specification")) {
      return AetherException.invalidInput("--sbatch-arg " + String.join(" ", r.extraArgs())
          + ": Slurm does not know this QOS or does not let you use it ('sacctmgr show qos' "
          + "lists them)");
    }
    if (why.contains("Requested time limit is invalid")) {
      return AetherException.invalidInput("--time " + r.timeLimit().map(SlurmTime::format)
          .orElse("(none)") + ": over the time limit of " + where);
    }
    if (why.contains("Requested node configuration is not available")) {
      return AetherException.invalidInput("-P/-M: no node of " + where + " has "
          + r.cpusPerTask() + " CPUs" + r.memoryMb().map(m -> " and " + m + " MB").orElse("")
          + " for one agent job");
    }
    if (why.contains("Job violates accounting/QOS policy")) {
      return AetherException.invalidInput("the agent job breaks a limit of your account or "
          + "QOS on " + where + ": " + why);
    }
    return new AetherException(AetherException.ERROR,
        "sbatch failed (exit " + exit + "): " + why);
  }

  private static String lastError(String stderr) {
    String last = "";
    for (String line : stderr.split("\n")) {
      if (!line.isBlank()) {
        last = line.strip().replaceFirst("^sbatch: error: ", "")
            .replaceFirst("^Batch job submission failed: ", "");
      }
    }
    return last.isEmpty() ? "(no message)" : last;
  }

  private static Optional<Long> limit(String value) {
    if (value == null || value.equals("UNLIMITED") || value.equals("NONE")) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(value));
  }

  private static void requireJobId(String id) {
    if (!JOB_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a Slurm job id: '" + id + "'");
    }
  }

  private static void writeScript(Path file, String body) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      // Created with its mode, so it is never readable by others, even for an instant.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      Files.writeString(file, body, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot write the agent job's script " + file + ": " + e.getMessage(), e);
    }
  }

  /** Finds a command on the PATH the commands will run with. */
  private Path executable(String command) {
    String path = environment.getOrDefault("PATH", Objects.toString(System.getenv("PATH"), ""));
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, command);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw AetherException.invalidInput(String.format(NOT_ON_PATH, command));
  }

  private record Result(int exit, String stdout, String stderr) {}

  private Result run(Path program, List<String> args, Map<String, String> extraEnv) {
    List<String> argv = new ArrayList<>();
    argv.add(program.toString());
    argv.addAll(args);
    Path out = null;
    Path err = null;
    try {
      // Output to files, not pipes: nothing to drain on other threads, and a hung command
      // cannot block us past the timeout.
      out = Files.createTempFile("aether-slurm-", ".out");
      err = Files.createTempFile("aether-slurm-", ".err");
      ProcessBuilder pb = new ProcessBuilder(argv)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      // A parent job's memory request (aether run inside an allocation) would clash with --mem.
      env.keySet().removeIf(k -> k.startsWith("SLURM_MEM_PER_"));
      env.putAll(environment);
      env.putAll(extraEnv);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AetherException(AetherException.ERROR, program.getFileName()
            + " did not answer within " + timeout.toSeconds()
            + " s; is slurmctld up? ('scontrol ping' tells)");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot run " + program + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted while running " + program, e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // A leftover temp file of a few bytes is harmless; the command's answer is what counts.
      }
    }
  }

  private static AetherException failed(String what, Result r) {
    String why = r.stderr().strip().lines().reduce((a, b) -> b).orElse("(no message)");
    return new AetherException(AetherException.ERROR,
        what + " failed (exit " + r.exit() + "): " + why);
  }

  private static AetherException unexpected(String what, String line) {
    return new AetherException(AetherException.UNEXPECTED_STATE,
        what + " printed a line Aether cannot read: '" + line.strip() + "'");
  }
}
