package dev.aether.core.pipeline.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.pipeline.agent.CoordinatorClient;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.spi.CapacityReplacer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 1 of issue 16: clients that trickle their headers in (one byte every two seconds) or just
 * hold connections open took every thread of the JDK server, so that no agent was answered. Here
 * the agents are answered at once while they try, and the server closes them.
 */
class SlowClientsTest {
  private static final Coordinator.Limits LIMITS = new Coordinator.Limits(
      Duration.ofSeconds(6), 64, Duration.ofSeconds(2), Duration.ofSeconds(30));
  private static final int JOBS = 20;

  @TempDir Path dir;
  private final Secret token = Secret.random();
  private final List<Socket> sockets = new ArrayList<>();
  private JobLedger ledger;
  private Coordinator coordinator;

  @BeforeEach
  void start() {
    ledger = JobLedger.open(dir.resolve("ledger.db"));
    ledger.load(ArgsFile.parse(IntStream.rangeClosed(1, JOBS).mapToObj(i -> "job " + i)
        .collect(Collectors.joining("\n"))), false);
    coordinator = Coordinator.start(ledger,
        new Coordinator.Settings(Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(1),
            Duration.ofHours(1), "script/job.sh"),
        token, new InetSocketAddress("127.0.0.1", 0), () -> {}, System::currentTimeMillis,
        CapacityReplacer.NONE, LIMITS);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    coordinator.close();
    ledger.close();
  }

  @Test
  @Timeout(60)
  void agentsAreAnsweredWhileSlowClientsTrickleInAndTheSlowOnesAreClosed() throws Exception {
    CoordinatorClient agent =
        new CoordinatorClient(coordinator.uri("127.0.0.1"), token, Duration.ofSeconds(5));
    agent.register("agent-1", 1, 1); // before: its client's first call is slow on a busy machine
    // 24 clients that send a byte every 2 s, and 100 that send nothing: more than the 64 that
    // may wait to show a token.
    List<Socket> slow = open(24);
    List<Socket> silent = open(100);
    Thread trickle = new Thread(() -> {
      byte[] request = ("POST " + Protocol.LEASE + " HTTP/1.1\r\nHost: x\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; !Thread.currentThread().isInterrupted(); i = (i + 1) % request.length) {
        for (Socket s : slow) {
          try {
            OutputStream out = s.getOutputStream();
            out.write(request[i]);
            out.flush();
          } catch (IOException e) {
            // closed by the server: what we want
          }
        }
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "slow-clients");
    trickle.setDaemon(true);
    trickle.start();
    long opened = System.nanoTime();
    long t0;

    long slowest = 0;
    t0 = System.nanoTime();
    agent.register("agent-2", 1, 1);
    slowest = Math.max(slowest, System.nanoTime() - t0);
    for (int i = 0; i < JOBS; i++) {
      t0 = System.nanoTime();
      LeaseReply reply = agent.lease("agent-2");
      agent.complete("agent-2", reply.job(), 0);
      slowest = Math.max(slowest, System.nanoTime() - t0);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - opened))
        .as("every agent call was made while the slow clients were still connected")
        .isLessThan(LIMITS.tokenDeadline());
    // Before, no agent was answered at all (its calls timed out); a loose bound for busy CI.
    assertThat(Duration.ofNanos(slowest)).as("slowest agent round trip")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(0, 0, JOBS, 0));

    // By the deadline (and a little slack for the timer), the server has closed every one.
    long deadline = opened + LIMITS.tokenDeadline().plusSeconds(2).toNanos();
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    trickle.interrupt();
    for (Socket s : slow) {
      assertThat(closedByServer(s)).as("a slow client is closed").isTrue();
    }
    for (Socket s : silent) {
      assertThat(closedByServer(s)).as("a silent client is closed").isTrue();
    }
    assertThat(coordinator.refusedConnections()).isEqualTo(slow.size() + silent.size());
    assertThat(ledger.counts()).as("they changed nothing").isEqualTo(new LedgerCounts(0, 0, JOBS, 0));
  }

  @Test
  @Timeout(30)
  void anAgentsBodyMustBeSmallAndArriveInTime() throws Exception {
    String auth = "Authorization: " + token.bearer() + "\r\n";
    try (Socket big = connect()) {
      send(big, "POST " + Protocol.LEASE + " HTTP/1.1\r\nHost: x\r\n" + auth
          + "Content-Length: 10000000\r\n\r\n");
      assertThat(statusLine(big)).contains(" 413 ");
    }
    try (Socket slowBody = connect()) {
      long t0 = System.nanoTime();
      send(slowBody, "POST " + Protocol.LEASE + " HTTP/1.1\r\nHost: x\r\n" + auth
          + "Content-Length: 100\r\n\r\n{\"node\":");
      assertThat(statusLine(slowBody)).contains(" 408 ");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(LIMITS.bodyDeadline().minusMillis(100))
          .isLessThan(LIMITS.bodyDeadline().plusSeconds(3));
    }
    assertThat(ledger.counts()).isEqualTo(new LedgerCounts(JOBS, 0, 0, 0));
  }

  private List<Socket> open(int n) throws IOException {
    List<Socket> opened = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opened.add(connect());
    }
    return opened;
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", coordinator.port());
    sockets.add(s);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  private static String statusLine(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  /** True when the server has closed {@code s}: a read ends (or fails) instead of waiting. */
  private static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout(200);
    try {
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // an error page, if any, then the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }
}
