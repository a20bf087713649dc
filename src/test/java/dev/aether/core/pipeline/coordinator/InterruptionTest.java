package dev.aether.core.pipeline.coordinator;

import dev.aether.core.pipeline.agent.Agent;
import dev.aether.core.pipeline.agent.CoordinatorClient;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.LostCapacity;
import dev.aether.providers.local.LocalStorage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A spot notice on one node: its leases come back at once, uncounted, and run elsewhere. */
class InterruptionTest {
  /** Jobs on the node at 10.0.0.1 hang until killed; elsewhere they finish at once. */
  private static final String SCRIPT = """
      #!/bin/sh
      mkdir -p PIDS && echo $$ > "PIDS/pid-$AETHER_JOB_NUMBER-$6"
      if [ "$6" = "10.0.0.1" ]; then sleep 120; fi
      echo "job $1 on $6" > "$5/result-$AETHER_JOB_NUMBER"
      """;

  @TempDir Path dir;
  private final Secret token = Secret.random();
  private final List<LostCapacity> replaced = new CopyOnWriteArrayList<>();
  private final ExecutorService agents = Executors.newCachedThreadPool();
  private JobLedger ledger;
  private Coordinator coordinator;
  private LocalStorage bucket;

  @BeforeEach
  void start() {
    bucket = new LocalStorage(dir.resolve("bucket"));
    // Run files outside $5: a run's outputs reach output/ only when it exits 0.
    bucket.put("script/job.sh", SCRIPT.replace("PIDS", dir.resolve("pids").toString())
        .getBytes(StandardCharsets.UTF_8));
    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse("a\nb\nc\n"), false);
    // A lease of a minute: anything that frees a job within seconds is the release, not expiry.
    coordinator = Coordinator.start(ledger,
        new Coordinator.Settings(Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(2),
            Duration.ofHours(1), "script/job.sh"),
        token, new InetSocketAddress("127.0.0.1", 0), () -> {}, System::currentTimeMillis,
        replaced::add);
  }

  @AfterEach
  void stop() {
    agents.shutdownNow();
    coordinator.close();
    ledger.close();
  }

  @Test
  @Timeout(60)
  void anInterruptedNodeHandsItsJobsBackAndAnotherNodeRunsThemWithNoAttemptCounted()
      throws Exception {
    ManualNotices notice = new ManualNotices();
    Future<Integer> a = agents.submit(() -> agent("node-a", "10.0.0.1", notice).run());
    Path output = bucket.root().resolve("output");
    Path pids = dir.resolve("pids");
    await(() -> Files.exists(pids.resolve("pid-1-10.0.0.1"))
        && Files.exists(pids.resolve("pid-2-10.0.0.1")));
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(1, 2, 0, 0));
    long pid1 = Long.parseLong(Files.readString(pids.resolve("pid-1-10.0.0.1")).strip());
    long pid2 = Long.parseLong(Files.readString(pids.resolve("pid-2-10.0.0.1")).strip());

    notice.fire("terminate at 2026-11-25T08:22:00Z");

    assertThat(a.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(3, 0, 0, 0));
    assertThat(ledger.job(1).orElseThrow().attempts()).as("attempt not counted").isZero();
    assertThat(ledger.job(2).orElseThrow().attempts()).isZero();
    assertThat(ProcessHandle.of(pid1).filter(ProcessHandle::isAlive)).as("run killed").isEmpty();
    assertThat(ProcessHandle.of(pid2).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(output.resolve("result-1")).doesNotExist();
    await(() -> !replaced.isEmpty());
    assertThat(replaced).containsExactly(new LostCapacity("node-a", 2));

    Future<Integer> b =
        agents.submit(() -> agent("node-b", "10.0.0.2", InterruptionNotices.NONE).run());

    assertThat(b.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(0, 0, 3, 0));
    for (int n = 1; n <= 3; n++) {
      Job job = ledger.job(n).orElseThrow();
      assertThat(job.attempts()).as("job %d", n).isEqualTo(1);
      assertThat(job.node()).contains("node-b");
      assertThat(Files.readString(output.resolve("result-" + n))).contains("on 10.0.0.2");
    }
  }

  @Test
  void releaseGivesBackOnlyLeasesTheNodeHoldsAndStopsGivingItWork() throws Exception {
    CoordinatorClient client =
        new CoordinatorClient(coordinator.uri("127.0.0.1"), token, Duration.ofSeconds(5));
    client.register("n1", 2, 2);
    client.register("n2", 2, 2);
    Lease one = client.lease("n1").job();
    Lease two = client.lease("n1").job();
    Lease three = client.lease("n2").job();

    RunningJob theirs = new RunningJob(three.number(), three.attempt());
    RunningJob stale = new RunningJob(one.number(), one.attempt() + 1);
    assertThat(client.release("n1", List.of(new RunningJob(one.number(), one.attempt()),
        stale, theirs)).released()).isEqualTo(1);

    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThat(ledger.job(1).orElseThrow().attempts()).isZero();
    assertThat(ledger.job(3).orElseThrow().state()).as("n2's lease").isEqualTo(JobState.LEASED);
    assertThat(client.lease("n1").stop()).as("a leaving node gets no work").isTrue();
    // n1 still finishes and reports the run that had ended before the notice.
    assertThat(client.complete("n1", two, 0).accepted()).isTrue();
    assertThat(client.lease("n2").job()).as("a new lease number: AETHER_ATTEMPT is never reused")
        .isEqualTo(new Lease(1, 2, one.args()));

    // A retried release (its reply lost) changes nothing and asks for no second replacement.
    assertThat(client.release("n1", List.of()).released()).isZero();
    await(() -> !replaced.isEmpty());
    Thread.sleep(100);
    assertThat(replaced).containsExactly(new LostCapacity("n1", 1));
  }

  @Test
  void noReplacementWhenNoJobWaits() throws Exception {
    CoordinatorClient client =
        new CoordinatorClient(coordinator.uri("127.0.0.1"), token, Duration.ofSeconds(5));
    client.register("n1", 2, 2);
    for (int i = 0; i < 3; i++) {
      client.complete("n1", client.lease("n1").job(), 0);
    }
    assertThat(client.release("n1", List.of()).released()).isZero();
    Thread.sleep(200);
    assertThat(replaced).isEmpty();
  }

  private Agent agent(String node, String address, InterruptionNotices notices) {
    return new Agent(new Agent.Config(coordinator.uri("127.0.0.1"), node, 2, 4,
        dir.resolve(node), address, Duration.ofSeconds(30), false), token, bucket, notices);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(end);
      Thread.sleep(20);
    }
  }

  /** A notice source the test fires by hand. */
  private static final class ManualNotices implements InterruptionNotices {
    private volatile Consumer<String> listener;

    @Override
    public void watch(Consumer<String> onNotice) {
      listener = onNotice;
    }

    void fire(String notice) throws InterruptedException {
      await(() -> listener != null);
      new Thread(() -> listener.accept(notice)).start();
    }

    @Override
    public void close() {}
  }
}
