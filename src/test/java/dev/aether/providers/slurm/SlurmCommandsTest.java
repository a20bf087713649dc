package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import dev.aether.providers.slurm.SlurmCommands.JobStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** sbatch, squeue and scancel against the real test cluster (tools/slurm-test-cluster.sh). */
@ExtendWith(SlurmCluster.class)
class SlurmCommandsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final SlurmCluster.Running cluster;
  private final SlurmCommands slurm;
  private final List<String> submitted = new ArrayList<>();
  @TempDir Path dir;

  SlurmCommandsTest(SlurmCluster.Running cluster) {
    this.cluster = cluster;
    this.slurm = cluster.commands();
  }

  @AfterEach
  void cancelWhatThisTestSubmitted() {
    slurm.cancel(submitted);
  }

  @Test
  void aSubmittedJobRunsWithItsSlurmJobIdSizeAndEnvironment() throws IOException {
    String id = submit(request("env", """
        #!/bin/bash
        echo "job=$SLURM_JOB_ID cpus=$SLURM_CPUS_PER_TASK mem=$SLURM_MEM_PER_NODE \
        value=$AETHER_TEST_VALUE pwd=$(pwd)" > result.txt
        echo to-the-output-file
        """, 2, Optional.of(256L), List.of(), Map.of("AETHER_TEST_VALUE", "from-the-login-node")));

    JobStatus end = await(id, s -> s.state() == NodeState.GONE);

    assertThat(end.slurmState()).hasValue("COMPLETED");
    assertThat(Files.readString(dir.resolve("result.txt")).strip()).isEqualTo("job=" + id
        + " cpus=2 mem=256 value=from-the-login-node pwd=" + dir.toRealPath());
    assertThat(Files.readString(dir.resolve("env.log"))).contains("to-the-output-file");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        dir.resolve("env.sh")))).isEqualTo("rwx------");
  }

  @Test
  void aRunningJobIsRunningAndGoneAfterScancelWithItsProcessesEnded() throws IOException {
    String id = submit(request("sleeper", """
        #!/bin/bash
        echo $$ > pid.txt
        exec sleep 600
        """));

    JobStatus running = await(id, s -> s.state() == NodeState.RUNNING);
    assertThat(running.slurmState()).hasValue("RUNNING");
    long pid = Long.parseLong(awaitFile(dir.resolve("pid.txt")).strip());
    assertThat(ProcessHandle.of(pid)).isPresent();

    slurm.cancel(List.of(id));

    JobStatus gone = await(id, s -> s.state() == NodeState.GONE);
    assertThat(gone.slurmState()).hasValue("CANCELLED");
    awaitTrue("job process " + pid + " ended", () -> ProcessHandle.of(pid).isEmpty());
  }

  @Test
  void aJobWaitingToStartIsPendingNotGone() {
    String id = submit(request("later", "#!/bin/bash\ntrue\n", 1, Optional.empty(),
        List.of("--begin=now+3600"), Map.of()));

    JobStatus status = slurm.queue(List.of(id)).get(id);

    assertThat(status.slurmState()).hasValue("PENDING");
    assertThat(status.state()).isEqualTo(NodeState.PENDING);
    assertThat(status.state().alive()).isTrue();
    assertThat(status.reason()).isEqualTo("BeginTime");
  }

  @Test
  void aJobWhoseScriptFailsIsGone() {
    String id = submit(request("fails", "#!/bin/bash\nexit 3\n"));

    JobStatus end = await(id, s -> s.state() == NodeState.GONE);

    assertThat(end.slurmState()).hasValue("FAILED");
  }

  @Test
  void aJobSlurmNoLongerKnowsIsGone() {
    assertThat(slurm.queue(List.of("987654")).get("987654"))
        .isEqualTo(new JobStatus("987654", Optional.empty(), "not in squeue", NodeState.GONE));
  }

  @Test
  void askingForSeveralJobsAnswersEachInOrder() {
    String later = submit(request("later", "#!/bin/bash\ntrue\n", 1, Optional.empty(),
        List.of("--begin=now+3600"), Map.of()));

    assertThat(slurm.queue(List.of("987654", later)).values())
        .extracting(JobStatus::jobId, JobStatus::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("987654", NodeState.GONE),
            org.assertj.core.groups.Tuple.tuple(later, NodeState.PENDING));
  }

  @Test
  void squeueThatCannotReachSlurmctldIsAnErrorNotGone() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path conf = dir.resolve("unreachable.conf");
    // A short MessageTimeout: clients otherwise retry for about 18 s before they give up.
    Files.writeString(conf, Files.readString(cluster.conf())
        .replaceAll("(?m)^SlurmctldPort=.*$", "SlurmctldPort=" + closedPort)
        + "MessageTimeout=1\n");
    SlurmCommands unreachable =
        new SlurmCommands(Map.of("SLURM_CONF", conf.toString()), Duration.ofSeconds(60));

    assertThatThrownBy(() -> unreachable.queue(List.of("1")))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("squeue failed (exit 1): ")
        .hasMessageContaining("Unable to contact slurm controller");
  }

  @Test
  void runsInTheNamedPartition() throws IOException {
    SbatchRequest r = request("long", """
        #!/bin/bash
        echo "$SLURM_JOB_PARTITION $SLURMD_NODENAME" > where.txt
        """);
    String id = submit(withPartition(r, "long"));

    await(id, s -> s.state() == NodeState.GONE);

    assertThat(Files.readString(dir.resolve("where.txt")).strip()).isEqualTo("long n2");
  }

  @Test
  void refusesAnUnknownPartitionInOneLine() {
    SbatchRequest r = withPartition(request("nosuch", "#!/bin/bash\ntrue\n"), "nosuch");

    assertThatThrownBy(() -> slurm.submit(r))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("--partition nosuch: Slurm has no such partition (sinfo --summarize lists "
            + "them)");
  }

  @Test
  void refusesAJobLargerThanAnyNodeInOneLine() {
    int tooMany = slurm.nodes("debug").stream().mapToInt(SlurmCommands.NodeInfo::cpus).max()
        .orElseThrow() + 1;
    SbatchRequest r = request("huge", "#!/bin/bash\ntrue\n", tooMany, Optional.empty(),
        List.of(), Map.of());

    assertThatThrownBy(() -> slurm.submit(r))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("-P/-M: no node of the default partition has " + tooMany
            + " CPUs for one agent job");
  }

  @Test
  void withoutSbatchOnPathSaysSoAndWritesNothing() throws IOException {
    Path emptyBin = Files.createDirectory(dir.resolve("bin"));
    SlurmCommands noSlurm = new SlurmCommands(
        Map.of("PATH", emptyBin.toString(), "SLURM_CONF", cluster.conf().toString()),
        Duration.ofSeconds(5));
    SbatchRequest r = request("nopath", "#!/bin/bash\ntrue\n");

    assertThatThrownBy(() -> noSlurm.submit(r))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("--provider slurm: sbatch is not on PATH; run aether on a login node of "
            + "your cluster");
    assertThatThrownBy(noSlurm::requireSbatch).hasMessageContaining("sbatch is not on PATH");
    assertThat(r.scriptFile()).doesNotExist();
  }

  @Test
  void cancellingAJobThatHasEndedIsNotAnError() {
    String id = submit(request("quick", "#!/bin/bash\ntrue\n"));
    await(id, s -> s.state() == NodeState.GONE);

    slurm.cancel(List.of(id, "987654"));

    assertThat(slurm.queue(List.of(id)).get(id).state()).isEqualTo(NodeState.GONE);
  }

  // --- helpers ---

  private SbatchRequest request(String name, String body) {
    return request(name, body, 1, Optional.empty(), List.of(), Map.of());
  }

  private SbatchRequest request(String name, String body, int cpus, Optional<Long> memoryMb,
      List<String> extra, Map<String, String> env) {
    return new SbatchRequest("aether-test-" + name, body, dir.resolve(name + ".sh"),
        dir.resolve(name + ".log"), Optional.empty(), Optional.empty(),
        Optional.of(Duration.ofMinutes(5)), cpus, memoryMb, extra, env);
  }

  private static SbatchRequest withPartition(SbatchRequest r, String partition) {
    return new SbatchRequest(r.jobName(), r.scriptBody(), r.scriptFile(), r.outputFile(),
        Optional.of(partition), r.account(), r.timeLimit(), r.cpusPerTask(), r.memoryMb(),
        r.extraArgs(), r.environment());
  }

  private String submit(SbatchRequest r) {
    String id = slurm.submit(r);
    submitted.add(id);
    return id;
  }

  private JobStatus await(String id, Predicate<JobStatus> done) {
    Instant deadline = Instant.now().plus(DEADLINE);
    JobStatus last = null;
    while (Instant.now().isBefore(deadline)) {
      last = slurm.queue(List.of(id)).get(id);
      if (done.test(last)) {
        return last;
      }
      pause();
    }
    throw new AssertionError("job " + id + " not there within " + DEADLINE + "; last " + last);
  }

  private static String awaitFile(Path file) throws IOException {
    awaitTrue(file + " written", () -> Files.isRegularFile(file) && file.toFile().length() > 0);
    return Files.readString(file);
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what + ": not within " + DEADLINE);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
