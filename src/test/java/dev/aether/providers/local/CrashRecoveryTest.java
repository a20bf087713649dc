package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.spi.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when an agent or the coordinator is killed with SIGKILL mid-run. */
class CrashRecoveryTest {
  @TempDir Path home;
  @TempDir Path in;
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    started.forEach(ProcessHandle::destroyForcibly);
  }

  /** Each run records itself in in/runs-<arg> before working, so runs per job can be counted. */
  private String countingScript() {
    return LocalProject.recordRun(in) + "; sleep \"${SLEEP:-1}\"; echo ok > \"$5/done-$1\"";
  }

  @Test
  @Timeout(90)
  void rerunsTheJobOfAKilledAgentAfterItsLeaseExpires() throws Exception {
    LocalProject p = new LocalProject(home, "agentkill");
    Path script = LocalProject.script(in, "SLEEP=2; " + countingScript());
    Path args = LocalProject.args(in, "1", "2", "3", "4");
    LocalMachines machines = p.machines();
    var spec = p.spec(script, args).slotsPerNode(1)
        .instances(List.of(LocalMachines.thisMachine(), LocalMachines.thisMachine())).build();

    CompletableFuture<PipelineResult> run = CompletableFuture.supplyAsync(
        () -> Pipeline.run(spec, machines, p.bucket, PipelineListener.NONE));
    awaitTrue(() -> machines.started().size() == 2 && leasedNodes(p).size() == 2, 40);
    Node victim = machines.started().get(0);
    Job victimJob;
    try (JobLedger ledger = p.ledger()) {
      victimJob = ledger.jobs(JobState.LEASED).stream()
          .filter(j -> j.node().orElse("").equals(victim.id())).findFirst().orElseThrow();
    }
    // Kill it once its job has really started, not merely been leased.
    Path runs = in.resolve("runs-" + victimJob.args());
    awaitTrue(() -> Files.exists(runs), 10);
    ProcessHandle agent = machines.process(victim).orElseThrow();
    started.addAll(agent.descendants().toList());
    agent.destroyForcibly();

    PipelineResult result = run.get(60, TimeUnit.SECONDS);

    assertThat(result.succeeded()).isTrue();
    try (JobLedger ledger = p.ledger()) {
      Job again = ledger.job(victimJob.number()).orElseThrow();
      assertThat(again.attempts()).isEqualTo(2);
      assertThat(again.node()).isNotEqualTo(victim.id()).isPresent();
    }
    assertThat(LocalProject.runs(in, victimJob.args())).containsExactly("1", "2");
    for (int i = 1; i <= 4; i++) {
      assertThat(p.output("done-" + i)).exists();
    }
  }

  @Test
  @Timeout(120)
  void resumesAfterTheCoordinatorIsKilledWithoutRerunningDoneJobs() throws Exception {
    LocalProject p = new LocalProject(home, "coordkill");
    Path script = LocalProject.script(in, "SLEEP=0.6; " + countingScript());
    List<String> jobs = IntStream.rangeClosed(1, 12).mapToObj(Integer::toString).toList();
    Path args = LocalProject.args(in, jobs.toArray(String[]::new));

    Process first = child(p, script, args);
    awaitTrue(() -> doneFiles(p) >= 4, 60);
    started.addAll(first.descendants().toList()); // its agents outlive it, as on a real crash
    first.destroyForcibly(); // SIGKILL
    first.waitFor();

    Set<String> doneBefore;
    try (JobLedger ledger = p.ledger()) {
      doneBefore = ledger.jobs(JobState.DONE).stream().map(Job::args).collect(Collectors.toSet());
    }
    assertThat(doneBefore).isNotEmpty().hasSizeLessThan(jobs.size());

    Process second = child(p, script, args);
    assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();

    try (JobLedger ledger = p.ledger()) {
      assertThat(ledger.jobs(JobState.DONE)).hasSize(jobs.size());
    }
    for (String job : jobs) {
      List<String> runs = LocalProject.runs(in, job);
      assertThat(runs).as("AETHER_ATTEMPT of job %s, unique per lease", job)
          .doesNotHaveDuplicates();
      if (doneBefore.contains(job)) {
        assertThat(runs).as("runs of job %s, DONE before the kill", job).hasSize(1);
      } else {
        assertThat(runs).as("runs of job %s", job).isNotEmpty();
      }
      assertThat(p.output("done-" + job)).exists();
    }
  }

  private Process child(LocalProject p, Path script, Path args) throws IOException {
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), PipelineChildMain.class.getName(),
        home.toString(), p.name, script.toString(), args.toString(), "2")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(in.resolve("child.log").toFile()))
        .start();
    started.add(process.toHandle());
    return process;
  }

  private static long doneFiles(LocalProject p) {
    return p.bucket.list("output/done-").size();
  }

  private static Set<String> leasedNodes(LocalProject p) {
    if (!Files.exists(p.dirs.ledger(p.name))) {
      return Set.of();
    }
    try (JobLedger ledger = p.ledger()) {
      return ledger.jobs(JobState.LEASED).stream().map(j -> j.node().orElse(""))
          .collect(Collectors.toSet());
    } catch (dev.aether.core.AetherException e) {
      return Set.of(); // held by the batch before its first snapshot is written
    }
  }

  private static void awaitTrue(BooleanSupplier condition, int seconds)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + seconds + " s");
      }
      Thread.sleep(50);
    }
  }
}
