package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.agent.Agent;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults 4, 5 and 8 of issue 16: a hung job kept a batch from ever ending; what a job started in
 * the background outlived it and kept writing; a failed attempt's partial files stayed in
 * output/. Now a job over --job-timeout is killed with its process group and counts as a failed
 * attempt, nothing a job started outlives it, and output/ holds only what DONE runs wrote.
 */
class JobProcessesTest {
  @TempDir Path home;
  @TempDir Path in;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  @Timeout(90)
  void aJobOverItsTimeoutIsKilledWithItsGroupAndNothingAJobStartedOutlivesIt() throws Exception {
    LocalProject p = new LocalProject(home, "timeouts");
    Path pidDir = Files.createDirectories(in.resolve("pids"));
    // hang: writes a partial file, starts a background child, then hangs.
    // leaves: exits 0 at once, leaving a child that would write to its outputs two seconds later.
    // fails: writes a partial file and exits 1.
    Path script = LocalProject.script(in, LocalProject.recordRun(in) + "\n"
        + "case \"$1\" in\n"
        + "  hang) echo partial > \"$5/partial-hang\"\n"
        + "        sleep 300 & echo $! > '" + pidDir + "/hang-child-'$AETHER_ATTEMPT\n"
        + "        echo $$ > '" + pidDir + "/hang-'$AETHER_ATTEMPT\n"
        + "        sleep 300 ;;\n"
        + "  leaves) ( sleep 2; echo late > \"$5/late\"; echo late > '" + in + "/late' ) &\n"
        + "        echo $! > '" + pidDir + "/leaves-child'\n"
        + "        echo ok > \"$5/leaves\" ;;\n"
        + "  fails) echo partial > \"$5/partial-fails\"; exit 1 ;;\n"
        + "  *) echo ok > \"$5/$1\" ;;\n"
        + "esac");
    var spec = p.spec(script, LocalProject.args(in, "hang", "leaves", "fails", "ok"))
        .slotsPerNode(2).maxAttempts(2).jobTimeout(Duration.ofSeconds(2)).build();

    PipelineResult result = Pipeline.run(spec, p.machines(), p.bucket, PipelineListener.NONE);

    List<Long> started = pidsIn(pidDir);
    assertThat(started).hasSize(5); // two attempts of hang, each with a child; leaves' child
    try (JobLedger ledger = p.ledger()) {
      Job hang = ledger.job(1).orElseThrow();
      assertThat(hang.state()).isEqualTo(JobState.FAILED);
      assertThat(hang.attempts()).isEqualTo(2);
      assertThat(hang.exitCode()).contains(Agent.TIMED_OUT);
      assertThat(ledger.job(2).orElseThrow().state()).isEqualTo(JobState.DONE);
      assertThat(ledger.job(3).orElseThrow().state()).isEqualTo(JobState.FAILED);
      assertThat(ledger.job(4).orElseThrow().state()).isEqualTo(JobState.DONE);
    }
    assertThat(result.failed()).extracting(f -> f.exitCode().orElseThrow())
        .containsExactly(Agent.TIMED_OUT, 1);
    assertThat(Files.readString(p.bucket.root().resolve("logs/1.log")))
        .contains("aether: killed after running 2.0 s (--job-timeout)");
    for (long pid : started) {
      assertThat(LocalProject.running(pid)).as("process %d of a job runs", pid).isFalse();
    }
    Thread.sleep(2500); // the time the left-behind child would have taken to write
    assertThat(in.resolve("late")).as("the child a finished job left was killed").doesNotExist();
    try (Stream<Path> output = Files.list(p.bucket.root().resolve("output"))) {
      assertThat(output.map(f -> f.getFileName().toString()))
          .as("only what DONE runs wrote").containsExactlyInAnyOrder("leaves", "ok");
    }
    try (Stream<Path> work = Files.walk(p.dirs.work(p.name).resolve("nodes"))) {
      assertThat(work.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
          .as("no job folder or attempt output left on the node").containsOnly("agent.log");
    }
  }

  private List<Long> pidsIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        pids.add(Long.parseLong(Files.readString(f).strip()));
      }
    }
    return pids;
  }
}
