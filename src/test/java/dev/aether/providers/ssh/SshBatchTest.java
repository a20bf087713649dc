package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.project.JoinTicket;
import dev.aether.providers.ssh.SshBatch.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aether --provider ssh} end to end: the launcher in this JVM, real OpenSSH servers on
 * hosts that are network namespaces (they reach the launcher only through the tunnels), a real
 * {@code aether agent} JVM on each host, run through the real argument list.
 */
class SshBatchTest {
  @RegisterExtension
  static final SshTestHosts HOSTS = new SshTestHosts().withHost("h1").withHost("h2")
      .withHost("h3");

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void runsEveryJobOnTheHostsAndLosesNoneWhenAHostsAgentIsKilled() throws Exception {
    SshBatch b = new SshBatch(HOSTS, dir, "ssh-batch");
    SshTestHosts.Host h1 = HOSTS.host("h1");
    SshTestHosts.Host h2 = HOSTS.host("h2");
    Path hostsFile = b.file("hosts.txt", "# two lab machines\nh1\nh2\n");
    ListAppender<ILoggingEvent> logs = SshBatch.captureLogs();
    try {
      CompletableFuture<Run> batch = SshBatch.start(b.batch(hostsFile, 12));

      // Kill h1's agent (kill -9, as a crash would) once it has done a job and runs another.
      try {
        SshBatch.await("a job done on h1 and one running there", () ->
            b.jobsOn("h1-", JobState.DONE) > 0 && b.jobsOn("h1-", JobState.LEASED) > 0, 60);
      } catch (AssertionError e) {
        Run r = batch.get(60, TimeUnit.SECONDS);
        throw new AssertionError(e.getMessage() + b.nodeLogs() + "\n" + r + "\nlog 1: "
            + Files.readString(b.bucket().resolve("logs/1.log")) + "\nbucket: "
            + new dev.aether.providers.local.LocalStorage(b.bucket()).list(""), e);
      }
      List<Job> onH1 = b.jobs(JobState.LEASED).stream()
          .filter(j -> j.node().orElse("").startsWith("h1-")).toList();
      List<ProcessHandle> agents = b.agents(h1);
      assertThat(agents).as("one agent on h1").hasSize(1);
      agents.get(0).destroyForcibly();

      Run run = batch.get(90, TimeUnit.SECONDS);
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(b.bucket().resolve("output")).as(run + b.nodeLogs()).isDirectory();
      assertThat(run.out()).contains("Machines for 12 jobs of 1 core and 0.5 GB each"
          + " (--provider ssh)").contains("12 of 12 jobs done");
      for (int job = 1; job <= 12; job++) {
        String[] where = b.where(job).split("\\s+");
        assertThat(where[0]).as("job %d's $6", job).isIn(h1.address(), h2.address());
        assertThat(List.of(where).subList(1, where.length)).as("job %d ran on the host $6 names",
            job).containsExactly(where[0]);
        assertThat(b.bucket().resolve("logs/" + job + ".log")).content()
            .contains("job " + job + " ran on " + where[0]);
      }
      Set<String> hostsUsed = java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(j -> {
        try {
          return b.where(j).split(" ")[0];
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).collect(Collectors.toSet());
      assertThat(hostsUsed).as("both hosts ran jobs").containsExactlyInAnyOrder(h1.address(),
          h2.address());
      for (Job killed : onH1) {
        assertThat(b.jobs(JobState.DONE)).as("job %d, running on h1 when it was killed, was"
            + " done elsewhere", killed.number()).anySatisfy(j -> {
              assertThat(j.number()).isEqualTo(killed.number());
              assertThat(j.node().orElse("")).startsWith("h2-");
            });
      }
      assertThat(logs.list).as("the user is told").anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).startsWith("host h1 (" + h1.address() + "): its"
            + " agent stopped").contains("its jobs go back to the queue");
      });

      // Nothing of the batch is left: no agent on a host, no ssh process here, no ticket.
      assertThat(b.agents(h1)).isEmpty();
      assertThat(b.agents(h2)).isEmpty();
      assertThat(ProcessHandle.current().descendants()
          .map(p -> p.info().commandLine().orElse("")).filter(l -> l.contains("ControlPath=")))
          .as("no ssh process left").isEmpty();
      assertThat(JoinTicket.file(b.dirs(), b.name)).doesNotExist();
    } finally {
      SshBatch.stopCapturing(logs);
    }
  }
}
