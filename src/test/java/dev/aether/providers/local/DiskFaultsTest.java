package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 3 of issue 16: a ledger that could not be written was never reported (agents logged
 * "coordinator lost", the launcher said "every node has stopped" minutes later), or the JVM died
 * with SIGBUS inside the SQLite driver. Now the batch stops within seconds saying which file and
 * how much room is left, exits 3, and the rerun resumes with nothing lost. Real disks: a tmpfs
 * that fills up, a ledger made immutable under a running launcher.
 */
class DiskFaultsTest {
  @TempDir Path home;
  @TempDir Path in;
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    started.forEach(ProcessHandle::destroyForcibly);
  }

  /** Job "fill" fills {@code disk} once (a marker outside it says it did), then all just work. */
  private Path script(Path disk) throws IOException {
    return LocalProject.script(in, LocalProject.recordRun(in) + "\n"
        + "if [ \"$1\" = fill ] && [ ! -e '" + in.resolve("filled") + "' ]; then\n"
        + "  touch '" + in.resolve("filled") + "'; cat /dev/zero > '" + disk + "/filler'\n"
        + "fi\n"
        + "sleep 0.3; echo ok > \"$5/done-$1\"");
  }

  private static Path jobs(Path dir, int n, int fillAt) throws IOException {
    return LocalProject.args(dir, IntStream.rangeClosed(1, n)
        .mapToObj(i -> i == fillAt ? "fill" : Integer.toString(i)).toArray(String[]::new));
  }

  @Test
  @Timeout(120)
  void aLedgerOnAFullDiskStopsTheBatchSayingWhereAndTheRerunResumes() throws Exception {
    LocalProject p = new LocalProject(home, "fullledger");
    try (Tmpfs disk = Tmpfs.mount(in.resolve("disk"), "4m")) {
      Path work = disk.dir.resolve("work");
      // Only the ledger on the small disk: the nodes' folders and the bucket have room.
      LocalMachines machines = new LocalMachines(LocalProject.AETHER, p.name, p.bucket,
          in.resolve("nodes"), Duration.ofSeconds(5));
      Path args = jobs(in, 16, 5);
      var spec = p.spec(script(disk.dir), args).workDir(work).slotsPerNode(2).build();

      long t0 = System.nanoTime();
      assertThatThrownBy(() -> Pipeline.run(spec, machines, p.bucket, PipelineListener.NONE))
          .isInstanceOf(AetherException.class)
          .satisfies(e -> assertThat(((AetherException) e).exitStatus())
              .isEqualTo(AetherException.UNEXPECTED_STATE))
          .hasMessageStartingWith("the job ledger " + work.resolve("ledger.db") + " failed")
          .hasMessageContaining("full")
          .hasMessageContaining("free of 4.0 MB on " + disk.dir)
          .hasMessageContaining("run the same command again to resume")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("loud and soon")
          .isLessThan(Duration.ofSeconds(40));
      Set<String> doneBefore = done(work.resolve("ledger.db"));

      Files.delete(disk.dir.resolve("filler"));
      PipelineResult again = Pipeline.run(spec, machines, p.bucket, PipelineListener.NONE);

      assertThat(again.succeeded()).as(again.counts().toString()).isTrue();
      assertNothingLost(p, work.resolve("ledger.db"), args, doneBefore);
    }
  }

  @Test
  @Timeout(120)
  void aBucketOnAFullDiskStopsTheNodeSayingWhyAndTheRerunResumes() throws Exception {
    LocalProject p;
    try (Tmpfs disk = Tmpfs.mount(home.resolve("projects"), "2m")) {
      p = new LocalProject(home, "fullbucket");
      Path args = jobs(in, 12, 4);
      var spec = p.spec(script(disk.dir), args).slotsPerNode(2).build();

      assertThatThrownBy(() -> Pipeline.run(spec, p.machines(), p.bucket, PipelineListener.NONE))
          .isInstanceOf(AetherException.class)
          .satisfies(e -> assertThat(((AetherException) e).exitStatus())
              .isEqualTo(AetherException.UNEXPECTED_STATE))
          .hasMessageStartingWith("every node has stopped while")
          .hasMessageContaining("cannot store the results of job")
          .hasMessageContaining("No space left on device")
          .hasMessageContaining("run the same command again to resume");
      Set<String> doneBefore = done(p.dirs.ledger(p.name));

      Files.delete(disk.dir.resolve("filler"));
      PipelineResult again = Pipeline.run(spec, p.machines(), p.bucket, PipelineListener.NONE);

      assertThat(again.succeeded()).as(again.counts().toString()).isTrue();
      assertNothingLost(p, p.dirs.ledger(p.name), args, doneBefore);
    }
  }

  @Test
  @Timeout(120)
  void aLedgerMadeImmutableUnderARunningLauncherIsAnErrorNotASigbus() throws Exception {
    Tmpfs.requireRoot("make files immutable (chattr +i)");
    Path probe = Files.createFile(home.resolve("probe"));
    boolean chattr = new ProcessBuilder("chattr", "+i", probe.toString()).start().waitFor() == 0;
    new ProcessBuilder("chattr", "-i", probe.toString()).start().waitFor();
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(chattr, "this file system has no immutable files (chattr +i)");
    }
    assertThat(chattr).as("chattr +i works on " + home).isTrue();

    LocalProject p = new LocalProject(home, "immutable");
    Path script = LocalProject.script(in, LocalProject.recordRun(in)
        + "; sleep 0.3; echo ok > \"$5/done-$1\"");
    Path args = jobs(in, 30, 0);
    Path ledger = p.dirs.ledger(p.name);
    List<Path> files = List.of(ledger, Path.of(ledger + "-wal"), Path.of(ledger + "-shm"));

    Process first = child(p, script, args);
    AgentFaultsTest.awaitTrue(() -> p.bucket.list("output/done-").size() >= 4, 60);
    try {
      for (Path f : files) {
        if (Files.exists(f)) { // there is no -shm: SQLite would crash the JVM through it
          Tmpfs.run("chattr", "+i", f.toString());
        }
      }
      assertThat(first.waitFor(40, TimeUnit.SECONDS)).as("the launcher stops").isTrue();
      String said = Files.readString(in.resolve("child.log"));
      assertThat(first.exitValue()).as(said).isEqualTo(AetherException.UNEXPECTED_STATE);
      assertThat(said).contains("the job ledger " + ledger + " failed")
          .contains("run the same command again to resume").doesNotContain("SIGBUS");
    } finally {
      for (Path f : files) {
        if (Files.exists(f)) {
          Tmpfs.run("chattr", "-i", f.toString());
        }
      }
    }
    Set<String> doneBefore = done(ledger);

    Process second = child(p, script, args);
    assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).as(Files.readString(in.resolve("child.log"))).isZero();
    assertNothingLost(p, ledger, args, doneBefore);
  }

  /** Every job DONE with its output; those DONE before the fault ran once, none twice at once. */
  private void assertNothingLost(LocalProject p, Path ledgerFile, Path args,
      Set<String> doneBefore) throws IOException {
    List<String> jobs = Files.readAllLines(args);
    try (JobLedger ledger = JobLedger.openExisting(ledgerFile)) {
      assertThat(ledger.jobs(JobState.DONE)).hasSize(jobs.size());
    }
    for (String job : jobs) {
      assertThat(p.output("done-" + job)).exists();
      List<String> runs = LocalProject.runs(in, job);
      assertThat(runs).as("AETHER_ATTEMPT of job %s", job).doesNotHaveDuplicates();
      if (doneBefore.contains(job)) {
        assertThat(runs).as("runs of job %s, DONE before the fault", job).hasSize(1);
      }
    }
  }

  private static Set<String> done(Path ledgerFile) {
    try (JobLedger ledger = JobLedger.openExisting(ledgerFile)) {
      return ledger.jobs(JobState.DONE).stream().map(Job::args).collect(Collectors.toSet());
    }
  }

  private Process child(LocalProject p, Path script, Path args) throws IOException {
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), PipelineChildMain.class.getName(),
        home.toString(), p.name, script.toString(), args.toString(), "2")
        .redirectErrorStream(true)
        .redirectOutput(in.resolve("child.log").toFile())
        .start();
    started.add(process.toHandle());
    return process;
  }
}
