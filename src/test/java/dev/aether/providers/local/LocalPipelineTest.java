package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.AetherException;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalPipelineTest {
  @TempDir Path home;
  @TempDir Path in;

  @Test
  @Timeout(60)
  void runsTheBasicExampleEndToEnd() throws Exception {
    LocalProject p = new LocalProject(home, "basic");
    Path example = Path.of("examples/basic");
    TokenSpy machines = new TokenSpy(p.machines());

    PipelineResult result = Pipeline.run(
        p.spec(example.resolve("script.sh"), example.resolve("args.txt"))
            .binDir(example.resolve("bin")).slotsPerNode(8).build(),
        machines, p.bucket, PipelineListener.NONE);

    assertThat(result.succeeded()).as(result.counts().toString()).isTrue();
    for (int i = 1; i <= 8; i++) {
      assertThat(Files.readString(p.output("result-" + i + ".txt")))
          .startsWith("job " + i + ": ");
      assertThat(p.bucket.root().resolve("logs/" + i + ".log")).exists();
    }
    assertThat(p.bucket.list("")).contains("args.txt", "prov.psv", "script/script.sh",
        "bin/describe.sh", "state/ledger.db");
    assertThat(result.counts().done()).isEqualTo(8);
    try (Stream<Path> files = Files.walk(home)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as("the token is written nowhere: %s", f).doesNotContain(machines.token);
      }
    }
  }

  /** Records the token handed to nodes, to check it is written nowhere. */
  private static final class TokenSpy implements dev.aether.core.spi.Machines {
    private final LocalMachines delegate;
    volatile String token = "no token was handed out";

    TokenSpy(LocalMachines delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<dev.aether.core.spi.Node> start(
        List<dev.aether.core.plan.ProvisionedInstance> instances,
        dev.aether.core.spi.NodeBootstrap bootstrap) {
      token = bootstrap.token();
      return delegate.start(instances, bootstrap);
    }

    @Override
    public List<dev.aether.core.spi.Node> list() {
      return delegate.list();
    }

    @Override
    public void stop(dev.aether.core.spi.Node node) {
      delegate.stop(node);
    }
  }

  @Test
  @Timeout(60)
  void retriesAFailingJobThenMarksItFailedWithItsLog() throws Exception {
    LocalProject p = new LocalProject(home, "failing");
    Path script = LocalProject.script(in,
        "echo \"attempt $AETHER_ATTEMPT of '$1'\"; [ \"$1\" = ok ] || exit 3");
    PipelineResult result = Pipeline.run(p.spec(script, LocalProject.args(in, "ok", "bad")).build(),
        p.machines(), p.bucket, PipelineListener.NONE);

    assertThat(result.succeeded()).isFalse();
    try (JobLedger ledger = p.ledger()) {
      Job bad = ledger.job(2).orElseThrow();
      assertThat(bad.state()).isEqualTo(JobState.FAILED);
      assertThat(bad.attempts()).isEqualTo(3);
      assertThat(bad.exitCode()).contains(3);
      assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.DONE);
      assertThat(ledger.counts()).isEqualTo(new LedgerCounts(0, 0, 1, 1));
    }
    Path log = p.bucket.root().resolve("logs/2.log");
    assertThat(Files.readString(log)).contains("attempt 3 of 'bad'");
    assertThat(result.failed()).singleElement().satisfies(f -> {
      assertThat(f.number()).isEqualTo(2);
      assertThat(f.attempts()).isEqualTo(3);
      assertThat(f.exitCode()).contains(3);
      assertThat(f.log()).isEqualTo(log.toString());
    });
  }

  /** Lines that a shell would expand, split or run; each must arrive as $1 untouched. */
  private static final List<String> HOSTILE = List.of(
      "two  spaces and a trailing space ",
      "\"double quoted\" and 'single quoted'",
      "$(touch pwned1)",
      "`touch pwned2`",
      "a; touch pwned3; b",
      "x && touch pwned4 || touch pwned5",
      "| touch pwned6 > pwned7 &",
      "*.txt ? [a-z]* ~ {a,b}",
      "tab\there\tand a trailing tab\t",
      "--leading-dashes -x",
      "-",
      "$HOME ${PATH} \\n back\\slash",
      "ünïcødé 日本語 🚀 \u200b",
      " # a space first, so a job, not a comment",
      "'unbalanced \"quotes");

  @Test
  @Timeout(60)
  void passesEachArgsLineVerbatimAndNeverRunsIt() throws Exception {
    LocalProject p = new LocalProject(home, "hostile");
    Path script = LocalProject.script(in,
        "printf '%s' \"$1\" > \"$5/arg-$AETHER_JOB_NUMBER\"");
    String[] lines = Stream.concat(Stream.of("# a comment", "", "   "), HOSTILE.stream())
        .toArray(String[]::new);

    PipelineResult result = Pipeline.run(
        p.spec(script, LocalProject.args(in, lines)).slotsPerNode(4).build(),
        p.machines(), p.bucket, PipelineListener.NONE);

    assertThat(result.succeeded()).isTrue();
    for (int i = 0; i < HOSTILE.size(); i++) {
      assertThat(Files.readString(p.output("arg-" + (i + 1)), StandardCharsets.UTF_8))
          .as("job %d", i + 1).isEqualTo(HOSTILE.get(i));
    }
    assertThat(p.bucket.list("output/")).hasSize(HOSTILE.size());
    try (Stream<Path> all = Stream.concat(Files.walk(home), Files.walk(in))) {
      assertThat(all.map(f -> f.getFileName().toString()))
          .noneMatch(f -> f.startsWith("pwned"));
    }
  }

  @Test
  @Timeout(60)
  void refusesAChangedArgsFileUnlessRestarted() throws Exception {
    LocalProject p = new LocalProject(home, "changed");
    Path script = LocalProject.script(in, "echo run >> \"$5/runs-$1\"");
    Path args = LocalProject.args(in, "a", "b");
    Pipeline.run(p.spec(script, args).build(), p.machines(), p.bucket, PipelineListener.NONE);

    LocalProject.args(in, "a", "x");
    assertThatThrownBy(() -> Pipeline.run(p.spec(script, args).build(), p.machines(), p.bucket,
        PipelineListener.NONE))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("args file (-A) has changed")
        .hasMessageContaining("job 2 was 'b'")
        .hasMessageContaining("--restart")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    try (JobLedger ledger = p.ledger()) {
      assertThat(ledger.counts()).isEqualTo(new LedgerCounts(0, 0, 2, 0));
    }

    PipelineResult restarted = Pipeline.run(p.spec(script, args).restart(true).build(),
        p.machines(), p.bucket, PipelineListener.NONE);
    assertThat(restarted.counts()).isEqualTo(new LedgerCounts(0, 0, 2, 0));
    assertThat(LocalProject.lines(p.output("runs-a"))).hasSize(2);
    assertThat(LocalProject.lines(p.output("runs-x"))).hasSize(1);
  }

  @Test
  @Timeout(60)
  void linesAppendedToAFinishedProjectRunWithoutRestartAndDoneJobsDoNotRunAgain()
      throws Exception {
    LocalProject p = new LocalProject(home, "appended");
    Path script = LocalProject.script(in, "echo run >> \"$5/runs-$1\"");
    Path args = LocalProject.args(in, "a", "b");
    Pipeline.run(p.spec(script, args).build(), p.machines(), p.bucket, PipelineListener.NONE);

    LocalProject.args(in, "a", "b", "c");
    PipelineResult more = Pipeline.run(p.spec(script, args).build(), p.machines(), p.bucket,
        PipelineListener.NONE);

    assertThat(more.counts()).isEqualTo(new LedgerCounts(0, 0, 3, 0));
    assertThat(LocalProject.lines(p.output("runs-a"))).hasSize(1);
    assertThat(LocalProject.lines(p.output("runs-c"))).hasSize(1);
  }
}
