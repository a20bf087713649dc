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
import java.nio.file.attribute.PosixFilePermission;
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

      // Every slot busy; then h1 finishes its jobs and takes two more, and its agent is killed
      // (kill -9, as a crash would) while it runs them.
      b.await("two jobs on each host", () -> b.jobsOn("h1-", JobState.LEASED) == 2
          && b.jobsOn("h2-", JobState.LEASED) == 2, 60, batch);
      for (int job : b.on("h1-", JobState.LEASED)) {
        b.open(job);
      }
      b.await("h1 done with two jobs and running two more", () ->
          b.jobsOn("h1-", JobState.DONE) == 2 && b.jobsOn("h1-", JobState.LEASED) == 2, 60,
          batch);
      List<Job> onH1 = b.jobs(JobState.LEASED).stream()
          .filter(j -> j.node().orElse("").startsWith("h1-")).toList();
      List<ProcessHandle> agents = b.agents(h1);
      assertThat(agents).as("one agent on h1").hasSize(1);
      agents.get(0).destroyForcibly();
      b.openAll();

      Run run = batch.get(90, TimeUnit.SECONDS);
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(run.out()).contains("Plan for 12 jobs of 1 core and 0.5 GB each on the ssh provider"
          + " (no bidding").contains("12 of 12 jobs done");
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

  @Test
  @Timeout(120)
  void aThirdHostAndThisMachineJoinTheRunningBatchTakeJobsAndKillingOneLosesNone()
      throws Exception {
    SshBatch b = new SshBatch(HOSTS, dir, "ssh-join");
    SshTestHosts.Host h1 = HOSTS.host("h1");
    SshTestHosts.Host h3 = HOSTS.host("h3");
    Path hostsFile = b.file("hosts.txt", "h1 slots=1\n");
    CompletableFuture<Run> batch = SshBatch.start(b.batch(hostsFile, 8));
    b.await("a job running on h1", () -> b.jobsOn("h1-", JobState.LEASED) > 0, 60, batch);
    Path ticket = JoinTicket.file(b.dirs(), b.name);
    assertThat(Files.getPosixFilePermissions(ticket)).as("only its owner reads the ticket")
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    CompletableFuture<Run> remote = SshBatch.start(b.join("--host", "h3"));
    CompletableFuture<Run> here = SshBatch.start(b.join("--slots", "1"));
    b.await("jobs running on h3 and on this machine", () ->
        b.jobsOn("h3-", JobState.LEASED) == 2 && b.jobsOn("join-", JobState.LEASED) == 1, 60,
        batch, remote, here);
    String token = JoinTicket.read(b.dirs(), b.name).token();
    assertThat(SshBatch.processesShowing(token)).as("no process here or on a host has the token"
        + " on its command line or in its environment").isEmpty();
    Run status = SshBatch.aether(List.of("status", "-N", b.name, "--aether-home",
        b.home.toString()));
    assertThat(status.status()).as(status.toString()).isZero();
    assertThat(status.out()).as("status lists every node with its jobs").contains("Nodes:")
        .containsPattern("(?m)^  h1-\\w{4} +0 done, running job \\d$")
        .containsPattern("(?m)^  h3-\\w{4} +0 done, running jobs \\d, \\d$")
        .containsPattern("(?m)^  join-\\d+-\\w{4} +0 done, running job \\d$");

    // The joined host finishes its two jobs, takes two more, and its agent is killed: they go
    // back to the queue and the other nodes run them.
    for (int job : b.on("h3-", JobState.LEASED)) {
      b.open(job);
    }
    b.await("h3 done with two jobs and running two more", () ->
        b.jobsOn("h3-", JobState.DONE) == 2 && b.jobsOn("h3-", JobState.LEASED) == 2, 60,
        batch, remote, here);
    List<ProcessHandle> agents = b.agents(h3);
    assertThat(agents).hasSize(1);
    agents.get(0).destroyForcibly();
    b.openAll();

    Run run = batch.get(90, TimeUnit.SECONDS);
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).containsPattern("(?m)^h1 +- +1 +\\d+ +[0-9.]+ +1$")
        .contains("8 of 8 jobs done");
    Run joinedRemote = remote.get(30, TimeUnit.SECONDS);
    assertThat(joinedRemote.status()).as(joinedRemote.toString()).isEqualTo(1);
    assertThat(joinedRemote.out()).contains("Joined h3 to the batch of ssh-join as node h3-")
        .contains("The agent on h3 ended while the batch still runs");
    Run joinedHere = here.get(30, TimeUnit.SECONDS);
    assertThat(joinedHere.status()).as(joinedHere.toString()).isZero();
    assertThat(joinedHere.out()).contains("Joining the batch of ssh-join as node join-")
        .contains("1 jobs at once").contains("The batch is over");

    Set<String> ranOn = new java.util.HashSet<>();
    for (int job = 1; job <= 8; job++) {
      ranOn.add(b.where(job).split(" ")[0]);
      assertThat(b.bucket().resolve("logs/" + job + ".log")).exists();
    }
    assertThat(ranOn).containsExactlyInAnyOrder(h1.address(), h3.address(), "127.0.0.1");
    assertThat(ticket).as("the ticket goes with the batch").doesNotExist();
    for (Path tree : List.of(b.home, HOSTS.homeOf(h1), HOSTS.homeOf(h3))) {
      assertThat(SshBatch.filesContaining(tree, token)).as("no file under %s holds the token",
          tree).isEmpty();
    }
    assertThat(b.agents(h3)).isEmpty();
  }
}
