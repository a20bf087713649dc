package dev.aether.core.pipeline.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.agent.CoordinatorClient;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.spi.LostCapacity;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --spot-attempts K}: after K spot interruptions of the same job its next attempt runs on
 * on-demand capacity. A real coordinator over HTTP; nodes whose id starts with "spot-" are spot.
 */
class SpotAttemptsTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Secret token = Secret.random();
  private final List<LostCapacity> replaced = new CopyOnWriteArrayList<>();
  private JobLedger ledger;
  private Coordinator coordinator;
  private CoordinatorClient client;

  @BeforeEach
  void start() {
    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse("a\nb\n"), false);
    coordinator = Coordinator.start(ledger,
        new Coordinator.Settings(Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(1),
            Duration.ZERO, "script/job.sh", Optional.empty(), OptionalInt.of(2)),
        token, new InetSocketAddress("127.0.0.1", 0), () -> {}, clock::get, replaced::add,
        Coordinator.Limits.DEFAULT,
        node -> node.startsWith("spot-"));
    client = new CoordinatorClient(coordinator.uri("127.0.0.1"), token, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    coordinator.close();
    ledger.close();
  }

  /** Leases job 1 on a new spot node and has that node interrupted. */
  private void interruptJobOneOn(String node) throws Exception {
    client.register(node, 1, 1);
    LeaseReply lease = client.lease(node);
    assertThat(lease.job().number()).isEqualTo(1);
    client.release(node, List.of(new RunningJob(1, lease.job().attempt())));
  }

  @Test
  void afterKInterruptionsAJobWaitsForOnDemandCapacityAndItIsBought() throws Exception {
    interruptJobOneOn("spot-1");
    assertThat(ledger.job(1).orElseThrow().attempts()).as("not counted").isZero();
    awaitReplacements(1);
    assertThat(replaced.get(0).onDemand()).isFalse();

    interruptJobOneOn("spot-2");
    awaitReplacements(2);
    // the second interruption: its slot is bought on-demand, as no on-demand node is there
    assertThat(replaced.get(1)).isEqualTo(new LostCapacity("spot-2", 1, true));

    // an on-demand node joins: from now on spot nodes are not given job 1, it is
    client.register("od-1", 1, 1);
    client.register("spot-3", 1, 1);
    assertThat(client.lease("spot-3").job().number()).isEqualTo(2);
    assertThat(client.lease("od-1").job().number()).isEqualTo(1);
  }

  @Test
  void withNoOnDemandNodeAliveTheJobStillRunsOnSpotRatherThanWait() throws Exception {
    interruptJobOneOn("spot-1");
    interruptJobOneOn("spot-2");
    client.register("od-1", 1, 1);
    clock.addAndGet(Duration.ofMinutes(3).toMillis()); // od-1 silent for more than 2 leases

    client.register("spot-3", 1, 1);
    assertThat(client.lease("spot-3").job().number()).isEqualTo(1);
  }

  private void awaitReplacements(int n) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (replaced.size() < n && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(replaced).hasSize(n);
  }
}
