package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.ProviderProject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent job cancelled in the middle of a batch (as scancel, preemption or a time limit
 * would) loses no job: the coordinator on this "login node" gets the jobs back, and the other
 * agent jobs run them. The pipeline runs in this JVM with a short lease, the agents are real
 * Slurm jobs.
 */
@ExtendWith(SlurmCluster.class)
class SlurmInterruptionTest {
  static final AetherProgram AETHER = AetherProgram.thisJvm("dev.aether.cli.Main");

  private final SlurmCluster.Running cluster;
  @TempDir Path home;
  @TempDir Path in;

  SlurmInterruptionTest(SlurmCluster.Running cluster) {
    this.cluster = cluster;
  }

  /** The provider as the CLI builds it, talking to the test cluster, agents quick to give up. */
  static SlurmProvider provider(SlurmCluster.Running cluster, ProjectDirs dirs,
      SlurmProvider.Settings settings) {
    return new SlurmProvider(settings, dirs, AETHER, cluster.commands(), Duration.ofSeconds(20));
  }

  @Test
  void scancelOfOneAgentJobMidRunLosesNoJob() throws Exception {
    String name = "slurm-scancel";
    ProjectDirs dirs = new ProjectDirs(home);
    SlurmProvider slurm = provider(cluster, dirs, new SlurmProvider.Settings(Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
        Optional.empty(), Optional.of(new SlurmProvider.JobShape(1, 0.25, 20))));
    Path script = in.resolve("job.sh");
    // Marks left as runs happen go outside the bucket: $5 is each run's own folder, stored only
    // when the run succeeds.
    Path trace = Files.createDirectories(in.resolve("trace"));
    Files.writeString(script, """
        #!/bin/bash
        echo "$AETHER_JOB_NUMBER $SLURM_JOB_ID" >> "TRACE/started.txt"
        # The first run of job 1 hangs until its agent job is cancelled.
        if [ "$1" = sample-1 ] && mkdir "TRACE/job-1-ran" 2>/dev/null; then sleep 600; fi
        sleep 1
        echo "$SLURM_JOB_ID" > "$5/done-$AETHER_JOB_NUMBER.txt"
        """.replace("TRACE", trace.toString()), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path args = Files.write(in.resolve("args.txt"),
        IntStream.rangeClosed(1, 20).mapToObj(i -> "sample-" + i).toList());

    try (ProviderProject project = slurm.open(name)) {
      List<ProvisionedInstance> agents = project.fixedNodes().orElseThrow();
      assertThat(agents).hasSize(3);
      PipelineSpec spec = PipelineSpec.builder(name, script, args).instances(agents)
          .processorsPerJob(1).memoryPerJobGb(0.25).workDir(dirs.work(name))
          .leaseTimeout(Duration.ofSeconds(3)).checkpointInterval(Duration.ofMillis(500))
          .bindHost(project.coordinatorHost().orElseThrow()).build();
      Path output = dirs.bucket(name).resolve("output");
      CompletableFuture<PipelineResult> batch = CompletableFuture.supplyAsync(() ->
          Pipeline.run(spec, project.machines(), project.prepareBucket(), PipelineListener.NONE));

      // Once every agent runs a job, cancel the one that runs job 1 (which hangs there).
      Path started = trace.resolve("started.txt");
      awaitTrue("3 agents run jobs", () -> lines(started).stream().map(l -> l.split(" ")[1])
          .distinct().count() == 3, batch);
      String victim = lines(started).stream().filter(l -> l.startsWith("1 ")).findFirst()
          .orElseThrow().split(" ")[1];
      cluster.commands().cancel(List.of(victim));

      PipelineResult result = batch.get(90, TimeUnit.SECONDS);

      assertThat(result.succeeded()).as(result.counts().toString()).isTrue();
      assertThat(result.counts().done()).isEqualTo(20);
      for (int n = 1; n <= 20; n++) {
        assertThat(output.resolve("done-" + n + ".txt")).as("job %d's output", n).exists();
      }
      // The job the cancelled agent was running ran again on another agent.
      int interrupted = 1;
      Path agentLog = dirs.work(name).resolve("slurm/logs/agent-" + victim + ".log");
      assertThat(Files.readString(output.resolve("done-" + interrupted + ".txt")).strip())
          .as("job %d was running on %s when it was cancelled; started: %s; its log: %s",
              interrupted, victim, lines(started), Files.readString(agentLog))
          .isNotEqualTo(victim);
      try (JobLedger ledger = JobLedger.openExisting(dirs.ledger(name))) {
        assertThat(ledger.job(interrupted).map(Job::state)).contains(JobState.DONE);
      }
      // Its agent heard Slurm's SIGTERM and handed its job back rather than let it expire.
      assertThat(Files.readString(agentLog)).contains("interrupted (SIGTERM from Slurm");
      assertThat(cluster.commands().queue(List.of(victim)).get(victim).state())
          .isEqualTo(NodeState.GONE);
      assertThat(project.machines().list()).isEmpty();
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition,
      CompletableFuture<?> batch) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (!condition.getAsBoolean()) {
      if (batch.isDone()) {
        batch.get(); // throws what ended it
        throw new AssertionError("the batch ended before: " + what);
      }
      assertThat(Instant.now()).as(what).isBefore(deadline);
      Thread.sleep(100);
    }
  }
}
