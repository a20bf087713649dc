package dev.aether.core.pipeline.coordinator;

import dev.aether.core.pipeline.agent.CoordinatorClient;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoordinatorTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final AtomicInteger checkpoints = new AtomicInteger();
  private final Secret token = Secret.random();
  private JobLedger ledger;
  private Coordinator coordinator;
  private CoordinatorClient client;

  @BeforeEach
  void start() {
    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse("a\nb\nc\n"), false);
    coordinator = Coordinator.start(ledger,
        new Coordinator.Settings(Duration.ofSeconds(10), 2, 1, 1, OptionalInt.empty(),
            Duration.ZERO, "script/job.sh"),
        token, new InetSocketAddress("127.0.0.1", 0), checkpoints::incrementAndGet, clock::get);
    client = new CoordinatorClient(coordinator.uri("127.0.0.1"), token, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    coordinator.close();
    ledger.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Bearer ", "Bearer wrong", "Basic abc", "bearer TOKEN",
      "Bearer  TOKEN", "Bearer TOKENx", "Bearer TOKE", "TOKEN"})
  void refusesRequestsWithoutTheTokenAndChangesNothing(String header) throws Exception {
    client.register("n1", 4, 8);
    String auth = header.replace("TOKEN", token.value());
    for (String path : List.of(Protocol.REGISTER, Protocol.LEASE, Protocol.COMPLETE,
        Protocol.HEARTBEAT, Protocol.RELEASE)) {
      HttpRequest.Builder r = HttpRequest.newBuilder(coordinator.uri("127.0.0.1").resolve(path))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"node\":\"n1\",\"number\":1,\"attempt\":1,\"exitCode\":0,\"cores\":1,"
                  + "\"memoryGb\":1}"));
      if (!header.isEmpty()) {
        r.header("Authorization", auth);
      }
      HttpResponse<String> response = HttpClient.newHttpClient()
          .send(r.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.body()).doesNotContain(token.value());
    }
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(3, 0, 0, 0));
    assertThat(ledger.job(1).orElseThrow().attempts()).isZero();
    assertThat(coordinator.nodes()).isEqualTo(1);
  }

  @Test
  void registersWithSlotsFromSizeAndRunsJobsToTheEnd() throws Exception {
    assertThat(client.register("n1", 4, 2.5).slots()).isEqualTo(2);
    assertThat(client.register("n1", 4, 2.5).script()).isEqualTo("script/job.sh");
    for (int i = 1; i <= 3; i++) {
      LeaseReply r = client.lease("n1");
      assertThat(r.job().number()).isEqualTo(i);
      assertThat(client.complete("n1", r.job(), 0).accepted()).isTrue();
    }
    LeaseReply end = client.lease("n1");
    assertThat(end.stop()).isTrue();
    assertThat(end.job()).isNull();
    assertThat(client.heartbeat("n1", List.of()).stop()).isTrue();
    assertThat(coordinator.counts()).isEqualTo(new LedgerCounts(0, 0, 3, 0));
  }

  @Test
  void refusesWorkToUnregisteredNodes() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> client.lease("ghost")))
        .hasMessageContaining("409");
    assertThat(ledger.counts().leased()).isZero();
  }

  @Test
  void expiresSilentLeasesAndCancelsThemOnTheOldNode() throws Exception {
    client.register("n1", 1, 1);
    client.register("n2", 1, 1);
    Lease lease = client.lease("n1").job();
    assertThat(client.heartbeat("n1", List.of(new RunningJob(1, 1))).cancel()).isEmpty();

    clock.addAndGet(10_001); // n1 silent for a whole lease
    awaitLeased(0);
    assertThat(ledger.job(1).orElseThrow().state()).isEqualTo(JobState.PENDING);
    assertThat(client.heartbeat("n1", List.of(new RunningJob(1, 1))).cancel())
        .containsExactly(new RunningJob(1, 1));

    Lease again = client.lease("n2").job();
    assertThat(again).isEqualTo(new Lease(1, 2, lease.args()));
    assertThat(client.complete("n1", lease, 0).accepted()).as("stale holder").isFalse();
    assertThat(client.complete("n2", again, 0).accepted()).isTrue();
  }

  @Test
  void tellsAgentsToWaitWhileJobsAreLeasedElsewhere() throws Exception {
    client.register("n1", 1, 1);
    client.register("n2", 1, 1);
    client.lease("n1");
    client.lease("n1");
    client.lease("n1");
    LeaseReply wait = client.lease("n2");
    assertThat(wait.job()).isNull();
    assertThat(wait.stop()).isFalse();
    assertThat(wait.waitMillis()).isPositive();
  }

  @Test
  void neverHandsTheSameJobToTwoConcurrentAgents() throws Exception {
    ledger.load(ArgsFile.parse(String.join("\n",
        IntStream.rangeClosed(1, 300).mapToObj(Integer::toString).toList())), true);
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    List<Thread> agents = IntStream.range(0, 8).mapToObj(i -> new Thread(() -> {
      try {
        client.register("n" + i, 1, 1);
        LeaseReply r;
        while ((r = client.lease("n" + i)).job() != null) {
          if (!seen.add(r.job().number())) {
            duplicates.incrementAndGet();
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).toList();
    agents.forEach(Thread::start);
    for (Thread t : agents) {
      t.join();
    }
    assertThat(duplicates).hasValue(0);
    assertThat(seen).hasSize(300);
  }

  @Test
  void checkpointsAfterChangesAndWhenClosed() throws Exception {
    client.register("n1", 1, 1);
    client.lease("n1");
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (checkpoints.get() == 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(checkpoints.get()).isPositive();
  }

  private void awaitLeased(int leased) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (coordinator.counts().leased() != leased && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  @Test
  void uriBracketsIpv6Hosts() {
    assertThat(coordinator.uri("::1")).isEqualTo(URI.create("http://[::1]:" + coordinator.port()));
  }
}
