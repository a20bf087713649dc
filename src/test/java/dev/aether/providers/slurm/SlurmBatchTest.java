package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.spi.NodeState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code aether --provider slurm} end to end on the real test cluster (tools/slurm-test-cluster.sh):
 * a real launcher process on the "login node", real agent jobs through sbatch, a folder bucket.
 */
@ExtendWith(SlurmCluster.class)
class SlurmBatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private final SlurmCommands slurm;
  private final SlurmLauncher aether;
  private final Path in;

  SlurmBatchTest(SlurmCluster.Running cluster, @TempDir Path tmp) throws IOException {
    this.slurm = cluster.commands();
    this.aether = new SlurmLauncher(cluster, tmp.resolve("home"));
    this.in = Files.createDirectories(tmp.resolve("in"));
  }

  @Test
  void runsABatchOfTwentyJobsAsSlurmJobsAndLeavesNothingInTheQueue() throws Exception {
    String name = "slurm-twenty";
    Path script = script("""
        echo "$1 $SLURM_JOB_ID $SLURM_JOB_NAME" > "$5/job-$AETHER_JOB_NUMBER.txt"
        sleep 0.3
        """);
    TokenWatch watch = new TokenWatch(aether.home().resolve("work").resolve(name)
        .resolve("slurm").resolve("token"));
    watch.start();
    SlurmLauncher.Outcome run;
    try {
      run = aether.run(DEADLINE, "-A", args(20).toString(), "-S", script.toString(), "-N", name,
          "-P", "1", "-M", "0.25", "--provider", "slurm", "--time", "00:10:00");
    } finally {
      watch.stop();
    }

    assertThat(run.exit()).as(run.all()).isZero();
    assertThat(run.out()).contains("20 of 20 jobs done")
        .contains("Submits 3 agent jobs: sbatch --job-name=aether-" + name
            + " --time=0-00:10:00 --cpus-per-task=1 --mem=640M --signal=B:USR1@120");
    Path output = aether.home().resolve("projects").resolve(name).resolve("output");
    Set<String> agentJobs = new java.util.TreeSet<>();
    for (int i = 1; i <= 20; i++) {
      String[] seen = Files.readString(output.resolve("job-" + i + ".txt")).strip().split(" ");
      assertThat(seen[0]).isEqualTo("sample-" + i);
      assertThat(seen[1]).as("job %d's SLURM_JOB_ID", i).matches("\\d+");
      assertThat(seen[2]).isEqualTo("aether-" + name);
      agentJobs.add(seen[1]);
    }
    // Every SLURM_JOB_ID is one of this batch's agent jobs (each writes its log), and the
    // jobs were shared among them.
    Path agentLogs = aether.home().resolve("work").resolve(name).resolve("slurm/logs");
    assertThat(agentJobs).hasSizeGreaterThan(1)
        .allSatisfy(id -> assertThat(agentLogs.resolve("agent-" + id + ".log")).exists());
    assertNothingQueued(name);

    // The token: in a 0600 file while the batch ran, gone after; never in a file, the agent
    // job's script, a command line or the output.
    assertThat(watch.token).as("the token file was seen while the batch ran").isNotNull();
    assertThat(watch.modes).allSatisfy(m -> assertThat(m)
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(watch.agentCommandLines).as("agent command lines were seen").isNotEmpty()
        .noneMatch(c -> c.contains(watch.token));
    assertThat(aether.home().resolve("work").resolve(name).resolve("slurm/token")).doesNotExist();
    try (Stream<Path> files = Files.walk(aether.home())) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as("the token is written nowhere: %s", f).doesNotContain(watch.token);
      }
    }
    assertThat(run.all()).doesNotContain(watch.token);
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(List.of("-P", "64", "-M", "0.25"), Map.of(),
            "-P 64: partition debug's largest node has "),
        Arguments.of(List.of("-P", "1", "-M", "64"), Map.of(),
            "-M 64: partition debug's largest node has "),
        Arguments.of(List.of("-P", "1", "-M", "0.25", "--partition", "nosuch"), Map.of(),
            "--partition nosuch: no such partition on this cluster; its partitions are debug,"
                + " long"),
        Arguments.of(List.of("-P", "1", "-M", "0.25", "--partition", "long", "--time",
            "8-00:00:00"), Map.of(), "--time 8-00:00:00: partition long's time limit is"
                + " 7-00:00:00"),
        Arguments.of(List.of("-P", "1", "-M", "0.25", "--coordinator-host", "192.0.2.1"),
            Map.of(), "--coordinator-host 192.0.2.1: 192.0.2.1 is not an address of this"
                + " machine"),
        Arguments.of(List.of("-P", "1", "-M", "0.25"), Map.of("PATH", "/nonexistent"),
            "--provider slurm: sbatch is not on PATH; run aether on a login node of your"
                + " cluster"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void refusesABadRequestInOneLineBeforeAnythingIsSubmitted(List<String> options,
      Map<String, String> env, String message) throws Exception {
    String name = "slurm-bad";
    List<String> argv = new ArrayList<>(List.of("-A", args(3).toString(), "-S",
        script("true").toString(), "-N", name, "--provider", "slurm"));
    argv.addAll(options);

    SlurmLauncher.Outcome run = aether.run(env, DEADLINE, argv.toArray(String[]::new));

    assertThat(run.exit()).as(run.all()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("aether: " + message).doesNotContain("\n");
    assertThat(slurm.named("aether-" + name)).isEmpty();
    assertThat(aether.home().resolve("projects").resolve(name)).doesNotExist();
    assertThat(aether.home().resolve("work").resolve(name)).doesNotExist();
  }

  @Test
  void ctrlCCancelsTheAgentJobsAndTheRerunRerunsNothingThatWasDone() throws Exception {
    String name = "slurm-resume";
    Path script = script("""
        echo "$AETHER_JOB_NUMBER $SLURM_JOB_ID" >> "TRACE/runs.txt"
        sleep 1
        """);
    String[] argv = {"-A", args(12).toString(), "-S", script.toString(), "-N", name, "-P", "1",
        "-M", "0.25", "--provider", "slurm"};
    Path runs = in.resolve("trace/runs.txt");

    SlurmLauncher.Launch first = aether.start(Map.of(), argv);
    // A 4th job starts once one has ended: one is done.
    awaitTrue("4 jobs started", () -> lines(runs).size() >= 4, first);
    first.signal("INT");
    int exit = first.await(Duration.ofSeconds(30));

    assertThat(exit).as(first.output() + first.errors()).isNotZero();
    assertThat(first.errors()).contains("cancelled 3 agent job(s) of project " + name);
    assertThat(slurm.named("aether-" + name)).as("agent jobs left queued or running")
        .noneMatch(s -> s.state().alive());
    List<Integer> doneBefore;
    try (JobLedger ledger = JobLedger.openExisting(
        aether.home().resolve("work").resolve(name).resolve("ledger.db"))) {
      doneBefore = IntStream.rangeClosed(1, 12).filter(n ->
          ledger.job(n).map(Job::state).orElseThrow() == JobState.DONE).boxed().toList();
    }
    assertThat(doneBefore).as("jobs done before Ctrl-C").isNotEmpty().hasSizeLessThan(12);

    SlurmLauncher.Outcome second = aether.run(DEADLINE, argv);

    assertThat(second.exit()).as(second.all()).isZero();
    assertThat(second.out()).contains("12 of 12 jobs done")
        .contains("Running 12 jobs (" + doneBefore.size() + " already ended)");
    Map<Integer, Long> timesRun = lines(runs).stream()
        .collect(Collectors.groupingBy(l -> Integer.parseInt(l.split(" ")[0]),
            Collectors.counting()));
    assertThat(timesRun.keySet()).containsExactlyInAnyOrderElementsOf(
        IntStream.rangeClosed(1, 12).boxed().toList());
    for (int n : doneBefore) {
      assertThat(timesRun.get(n)).as("runs of job %d, done before Ctrl-C", n).isEqualTo(1);
    }
    assertNothingQueued(name);
  }

  @Test
  void downCancelsTheAgentJobsOfALauncherThatWasKilled() throws Exception {
    String name = "slurm-down";
    Path script = script("""
        echo "$AETHER_JOB_NUMBER $SLURM_JOB_ID" >> "TRACE/runs.txt"
        sleep 60
        """);
    Path runs = in.resolve("trace/runs.txt");
    SlurmLauncher.Launch launcher = aether.start(Map.of(), "-A", args(3).toString(), "-S",
        script.toString(), "-N", name, "-P", "1", "-M", "0.25", "--provider", "slurm");
    awaitTrue("a job runs", () -> !lines(runs).isEmpty(), launcher);

    launcher.signal("KILL");
    launcher.await(Duration.ofSeconds(30));
    // SIGKILL runs no hook: the agents go on until their coordinator has been lost a while.
    assertThat(slurm.named("aether-" + name)).anyMatch(s -> s.state() == NodeState.RUNNING);

    SlurmLauncher.Outcome down = aether.run(DEADLINE, "down", "--name", name, "--provider",
        "slurm", "--wait", "30");

    assertThat(down.exit()).as(down.all()).isZero();
    assertThat(down.out()).contains("Cancelled 3 agent job(s) of project " + name + ": ")
        .contains("The bucket " + aether.home().resolve("projects").resolve(name));
    assertThat(slurm.named("aether-" + name)).isEmpty();
    assertThat(aether.home().resolve("work").resolve(name).resolve("slurm/token"))
        .doesNotExist();
  }

  /** None of the project's jobs is alive when aether ends, and none is in squeue soon after. */
  private void assertNothingQueued(String name) {
    assertThat(slurm.named("aether-" + name)).noneMatch(s -> s.state().alive());
    Instant deadline = Instant.now().plusSeconds(30);
    while (!slurm.named("aether-" + name).isEmpty()) {
      assertThat(Instant.now()).as("squeue still lists %s", slurm.named("aether-" + name))
          .isBefore(deadline);
      pause(200);
    }
  }

  /**
   * A job script; TRACE in it is a folder outside the bucket where runs leave their marks as they
   * happen ($5 is each run's own folder, stored only when the run succeeds).
   */
  private Path script(String body) throws IOException {
    Path trace = Files.createDirectories(in.resolve("trace"));
    Path script = in.resolve("job-" + Integer.toHexString(body.hashCode()) + ".sh");
    Files.writeString(script, "#!/bin/bash\nset -e\n" + body.replace("TRACE", trace.toString())
        + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private Path args(int jobs) throws IOException {
    Path args = in.resolve("args-" + jobs + ".txt");
    Files.write(args, IntStream.rangeClosed(1, jobs).mapToObj(i -> "sample-" + i).toList());
    return args;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition, SlurmLauncher.Launch l)
      throws IOException {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (!condition.getAsBoolean()) {
      if (!l.process().isAlive() || Instant.now().isAfter(deadline)) {
        throw new AssertionError("not so within " + DEADLINE.toSeconds() + " s: " + what
            + "; launcher output:\n" + l.output() + l.errors());
      }
      pause(100);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Watches the token file and the agents' command lines while a batch runs. */
  private static final class TokenWatch {
    private final Path file;
    private final Set<Set<PosixFilePermission>> modes = ConcurrentHashMap.newKeySet();
    private final Set<String> agentCommandLines = ConcurrentHashMap.newKeySet();
    private volatile String token;
    private volatile boolean running = true;
    private Thread thread;

    TokenWatch(Path file) {
      this.file = file;
    }

    void start() {
      thread = new Thread(() -> {
        while (running) {
          try {
            if (Files.exists(file)) {
              modes.add(Files.getPosixFilePermissions(file));
              String t = Files.readString(file).strip();
              if (!t.isEmpty()) {
                token = t;
              }
            }
          } catch (IOException e) {
            // deleted between the two calls: the batch ended
          }
          // /proc, not ProcessHandle.Info, which leaves out long command lines like the agent's.
          try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
              try {
                String line = new String(Files.readAllBytes(p.resolve("cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
                if (line.contains("agent --provider slurm")) {
                  agentCommandLines.add(line);
                }
              } catch (IOException e) {
                // the process ended meanwhile
              }
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          pause(100);
        }
      }, "token-watch");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
