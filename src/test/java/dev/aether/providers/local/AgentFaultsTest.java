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
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults 2 and 3 of issue 16, with real agent processes: an agent killed with SIGKILL is replaced
 * (its leftovers killed and cleaned up), one that cannot run is restarted a bounded number of
 * times and the run then says why, and one paused longer than its lease tries again on resume.
 */
class AgentFaultsTest {
  @TempDir Path home;
  @TempDir Path in;
  private final List<ProcessHandle> started = new ArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();
  private final PipelineListener listener = new PipelineListener() {
    @Override
    public void note(String message) {
      notes.add(message);
    }
  };

  @AfterEach
  void killLeftovers() {
    started.forEach(ProcessHandle::destroyForcibly);
  }

  /** Records its pid (and a background child's) outside $5, then works for a while. */
  private Path pidScript(String seconds) throws IOException {
    Files.createDirectories(in.resolve("pids"));
    return LocalProject.script(in, LocalProject.recordRun(in) + "\n"
        + "sleep 300 & echo $! > '" + in.resolve("pids") + "/child-'\"$1-$AETHER_ATTEMPT\"\n"
        + "echo $$ > '" + in.resolve("pids") + "/job-'\"$1-$AETHER_ATTEMPT\"\n"
        + "sleep " + seconds + "\necho done > \"$5/done-$1\"");
  }

  @Test
  @Timeout(90)
  void anAgentKilledWithSigkillIsReplacedAndWhatItLeftIsKilledAndCleanedUp() throws Exception {
    LocalProject p = new LocalProject(home, "agentdies");
    Path script = pidScript("2");
    LocalMachines machines = p.machines();
    var spec = p.spec(script, LocalProject.args(in, "1", "2", "3", "4")).slotsPerNode(2).build();

    CompletableFuture<PipelineResult> run = CompletableFuture.supplyAsync(
        () -> Pipeline.run(spec, machines, p.bucket, listener));
    awaitTrue(() -> pids("job-").size() == 2, 40);
    Node victim = machines.started().get(0);
    Path victimDir = p.dirs.work(p.name).resolve("nodes").resolve(victim.id());
    assertThat(victimDir.resolve("jobs")).isNotEmptyDirectory();
    List<Long> orphans = new ArrayList<>(pids("job-"));
    orphans.addAll(pids("child-"));
    orphans.forEach(pid -> ProcessHandle.of(pid).ifPresent(started::add));
    machines.process(victim).orElseThrow().destroyForcibly(); // SIGKILL: no hook runs

    PipelineResult result = run.get(60, TimeUnit.SECONDS);

    assertThat(result.succeeded()).as(result.counts().toString()).isTrue();
    assertThat(notes).anySatisfy(n -> assertThat(n)
        .contains("Node " + victim.id() + " stopped: its agent was killed (signal 9)")
        .contains("restart 1 of 3"));
    assertThat(machines.started()).hasSize(2);
    for (long pid : orphans) {
      assertThat(LocalProject.running(pid)).as("a process the dead agent's job started runs")
          .isFalse();
    }
    try (Stream<Path> left = Files.list(victimDir)) {
      assertThat(left.map(f -> f.getFileName().toString())).containsExactly("agent.log");
    }
    for (String job : List.of("1", "2", "3", "4")) {
      List<String> runs = LocalProject.runs(in, job);
      assertThat(runs).as("runs of job %s", job).isNotEmpty().doesNotHaveDuplicates();
      assertThat(p.output("done-" + job)).exists();
    }
  }

  @Test
  @Timeout(90)
  void anAgentThatCannotRunIsRestartedThreeTimesThenTheRunSaysWhy() throws Exception {
    LocalProject p = new LocalProject(home, "noagent");
    Path script = LocalProject.script(in, "exit 0");
    AetherProgram broken = new AetherProgram(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-cp", in.toString(), "NoSuchAgentMain"));
    LocalMachines machines = new LocalMachines(broken, p.name, p.bucket,
        p.dirs.work(p.name).resolve("nodes"), Duration.ofSeconds(5));

    assertThatThrownBy(() -> Pipeline.run(p.spec(script, LocalProject.args(in, "a", "b")).build(),
        machines, p.bucket, listener))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("every node has stopped while 2 jobs remain")
        .hasMessageContaining("its agent exited with status 1")
        .hasMessageContaining("NoSuchAgentMain")
        .hasMessageContaining("run the same command again to resume")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.UNEXPECTED_STATE);
    assertThat(machines.started()).as("the node and 3 restarts").hasSize(4);
    assertThat(notes).filteredOn(n -> n.contains("Starting another")).hasSize(3);
    try (JobLedger ledger = p.ledger()) {
      assertThat(ledger.jobs(JobState.PENDING)).as("nothing lost").hasSize(2);
    }
  }

  @Test
  @Timeout(90)
  void anAgentPausedLongerThanItsLeaseTriesTheCoordinatorAgainOnResume() throws Exception {
    LocalProject p = new LocalProject(home, "paused");
    Path script = LocalProject.script(in, LocalProject.recordRun(in)
        + "; sleep 1; echo done > \"$5/done-$1\"");
    // Agents reach the coordinator through a proxy: it drops every connection during the pause,
    // as servers, NATs and firewalls drop idle ones, and refuses new ones for a moment after,
    // as a resumed VM's network may still be down.
    try (TcpProxy proxy = new TcpProxy()) {
      LocalMachines local = p.machines(); // lost after 5 s; leases of 2 s
      Machines machines = new ThroughProxy(local, proxy);
      var spec = p.spec(script, LocalProject.args(in, "1", "2", "3", "4"))
          .slotsPerNode(1).build();
      CompletableFuture<PipelineResult> run = CompletableFuture.supplyAsync(
          () -> Pipeline.run(spec, machines, p.bucket, listener));
      awaitTrue(() -> Files.exists(in.resolve("runs-2")), 40);
      ProcessHandle agent = local.process(local.started().get(0)).orElseThrow();

      signal("STOP", agent.pid());
      // Longer than the lease (2 s) and than the agent's patience with a lost coordinator (5 s)
      Thread.sleep(8000);
      proxy.dropAll();
      proxy.refuse(true);
      signal("CONT", agent.pid());
      Thread.sleep(1500);
      proxy.refuse(false);

      PipelineResult result = run.get(60, TimeUnit.SECONDS);
      assertThat(result.succeeded()).as(result.counts().toString()).isTrue();
      assertThat(local.started()).as("the same agent went on: no restart").hasSize(1);
      Path log = p.dirs.work(p.name).resolve("nodes").resolve(local.started().get(0).id())
          .resolve("agent.log");
      assertThat(Files.readString(log)).contains("was stopped for")
          .doesNotContain("coordinator lost");
      try (JobLedger ledger = p.ledger()) {
        assertThat(ledger.jobs(JobState.DONE)).extracting(Job::node)
            .allSatisfy(n -> assertThat(n).contains(local.started().get(0).id()));
      }
    }
  }

  private List<Long> pids(String prefix) {
    try (Stream<Path> files = Files.list(in.resolve("pids"))) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).map(f -> {
        try {
          return Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
          return -1L;
        }
      }).filter(pid -> pid > 0).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void signal(String name, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor())
        .isZero();
  }

  static void awaitTrue(BooleanSupplier condition, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + seconds + " s");
      }
      Thread.sleep(50);
    }
  }

  /** Local machines whose agents are told the proxy's address instead of the coordinator's. */
  private record ThroughProxy(LocalMachines local, TcpProxy proxy) implements Machines {
    @Override
    public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      proxy.forwardTo(bootstrap.coordinator().getPort());
      return local.start(instances, new NodeBootstrap(
          URI.create("http://127.0.0.1:" + proxy.port()), bootstrap.token(),
          bootstrap.project()));
    }

    @Override
    public List<Node> list() {
      return local.list();
    }

    @Override
    public Optional<Node> find(String id) {
      return local.find(id);
    }

    @Override
    public Optional<String> whyGone(Node node) {
      return local.whyGone(node);
    }

    @Override
    public void stop(Node node) {
      local.stop(node);
    }
  }
}
