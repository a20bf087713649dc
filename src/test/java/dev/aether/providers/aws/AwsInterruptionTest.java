package dev.aether.providers.aws;

import dev.aether.core.pipeline.coordinator.Pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A spot interruption on the AWS provider, end to end and with no network (the same fakes as
 * {@link AwsBatchTest}): the plan's only worker is a spot node; while it runs jobs its metadata
 * service starts answering the two-minute notice, and a few seconds later the fake EC2 terminates
 * it. The agent must hand its runs back uncounted, the coordinator node must buy the lost slots
 * in another pool, and that replacement must finish the batch with no job lost.
 */
class AwsInterruptionTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  private static final int JOBS = 6;
  private static final int MAX_ATTEMPTS = 3;

  @TempDir Path tmp;
  private AwsEndToEnd e2e;

  @BeforeEach
  void start() throws IOException {
    // agents read the notice every second instead of every 5 (AwsProvider.POLL_ENV)
    e2e = new AwsEndToEnd(S3.getServiceEndpoint(), tmp,
        Map.of("AETHER_INTERRUPTION_POLL_SECONDS", "1"));
    // EC2 answers DescribeInstances in about half a second; an interrupted node shuts itself
    // down as soon as it has handed its jobs back, so it may be gone by the time it is looked up
    e2e.ec2.describeLatency = Duration.ofMillis(500);
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void aSpotInterruptionIsAnsweredByCapacityInAnotherPoolAndNoJobIsLost() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    // Every machine is this computer, so jobs can keep a journal the test reads: which job, which
    // attempt, on which instance (AETHER_INSTANCE_ID is the fake node's), started and ended.
    Path journal = tmp.resolve("journal.txt");
    Path script = Files.writeString(project.resolve("job.sh"), """
        #!/bin/bash
        set -e
        echo "start $AETHER_JOB_NUMBER $AETHER_ATTEMPT $AETHER_INSTANCE_ID" >> '%1$s'
        echo "job $AETHER_JOB_NUMBER attempt $AETHER_ATTEMPT on $AETHER_INSTANCE_ID"
        sleep 4
        echo "result of $1" > "$5/out-$AETHER_JOB_NUMBER.txt"
        echo "end $AETHER_JOB_NUMBER $AETHER_ATTEMPT $AETHER_INSTANCE_ID" >> '%1$s'
        """.formatted(journal));
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= JOBS; i++) {
      lines.append("sample-").append(i).append('\n');
    }
    Path args = Files.writeString(project.resolve("args.txt"), lines);
    // The prices the launcher bids with and uploads for the coordinator node's replacements:
    // the cheapest pool is the plan's, so a replacement in another pool shows that pool was
    // left out. c5.large on-demand is also the cheapest coordinator node type.
    Path catalog = Files.writeString(project.resolve("prices.csv"), """
        instance_type,vcpus,memory_gib,region,zone,on_demand_price,spot_price,spot_max_price
        m5.large,2,8,us-east-1,us-east-1c,0.096,0.030,0.040
        m5.large,2,8,us-east-1,us-east-1b,0.096,0.034,0.045
        c5.large,2,4,us-east-1,us-east-1a,0.085,0.036,0.050
        """);
    // The plan: one spot worker, two slots, bid above the account's spot price there (0.0375).
    Path prov = Files.writeString(project.resolve("prov.psv"),
        "m5.large|2|8|false|true|0.04|us-east-1c\n");
    Path home = tmp.resolve("home");

    long t0 = System.nanoTime();
    Process launcher = e2e.aether(home, "--provider", "aws", "--offline", "-N", e2e.name,
        "-R", "us-east-1", "--catalog", catalog.toString(), "-S", script.toString(),
        "-A", args.toString(), "-P", "1", "-M", "0.5", "-L", prov.toString(),
        "--agent-jar", e2e.jar.toString(), "--coordinator-port",
        Integer.toString(AwsEndToEnd.freePort()));

    // Mid-run: the spot worker has finished a wave of jobs and started the next one.
    FakeEc2.Machine spot = awaitValue(Duration.ofSeconds(40), () -> e2e.ec2.machines().stream()
        .filter(m -> m.role().equals("worker")).findFirst().orElse(null), launcher);
    assertThat(spot.spot).isTrue();
    await(Duration.ofSeconds(40), () -> journal(journal).stream()
        .filter(e -> e.instance().equals(spot.id) && e.start()).count() >= 3, launcher);
    long noticeAt = System.nanoTime();
    e2e.ec2.noticeSpotInterruption(spot.id, Duration.ofMinutes(2));
    // EC2 takes the instance back when the notice's time comes: here a few seconds later.
    Thread.sleep(4000);
    e2e.ec2.reclaimSpot(spot.id);

    boolean ended = launcher.waitFor(60, TimeUnit.SECONDS);
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    System.out.printf("interruption test: notice after %.1f s, batch over after %.1f s%n",
        (noticeAt - t0) / 1e9, (System.nanoTime() - t0) / 1e9);
    assertThat(ended).as("launcher ended; output:\n" + out + e2e.logs()).isTrue();
    assertThat(launcher.exitValue()).as(out + e2e.logs()).isZero();
    String logs = e2e.logs();

    // The interrupted worker handed back the jobs it was running, killed, without an end.
    List<Event> events = journal(journal);
    Set<Integer> startedThere = jobs(events, spot.id, true);
    Set<Integer> handedBack = new TreeSet<>(startedThere);
    handedBack.removeAll(jobs(events, spot.id, false));
    assertThat(handedBack).as("jobs killed mid-run on the interrupted node\n" + events + logs)
        .isNotEmpty();
    assertThat(Files.readString(spot.log("aether-agent")))
        .contains("interrupted (terminate at ").contains("handed back " + handedBack.size());

    // The coordinator node bought the lost slots again, in another pool, with a new RunInstances.
    List<FakeEc2.Machine> machines = e2e.ec2.machines();
    assertThat(machines).as(logs).extracting(FakeEc2.Machine::role)
        .containsExactly("coordinator", "worker", "worker");
    assertThat(e2e.ec2.calls.stream().filter(c -> "RunInstances".equals(c.get("Action"))
        && !c.containsKey("DryRun"))).as("launches (the check's dry runs aside)").hasSize(3);
    FakeEc2.Machine replacement = machines.get(2);
    assertThat(pool(replacement)).as("the replacement's pool").isNotEqualTo(pool(spot));
    assertThat(replacement.tags).containsEntry("aether:project", e2e.name);
    if (replacement.spot) {
      assertThat(replacement.maxPrice).as("a spot replacement is capped at its bid").isPresent();
    }
    assertThat(replacement.userData).contains("agent --provider aws --coordinator http://127.0.0.1:");
    assertThat(Files.readString(machines.get(0).log("aether-coordinator")))
        .contains("node " + spot.id + " is interrupted; gave back " + handedBack.size());

    // ... which booted and ran jobs: the handed-back ones under their next lease number (no
    // AETHER_ATTEMPT is ever given twice), the interrupted run not counted as a failed attempt.
    assertThat(jobs(events, replacement.id, false)).as("jobs the replacement finished")
        .containsAll(handedBack);
    for (int job : handedBack) {
      assertThat(events).as("job " + job + " ran again on the replacement, as lease 2")
          .contains(new Event(true, job, 2, replacement.id), new Event(false, job, 2, replacement.id));
    }

    // Every job DONE once, its output in the bucket and at home.
    assertThat(out).contains(JOBS + " of " + JOBS + " jobs done");
    List<String> keys = e2e.keys();
    Path results = home.resolve("projects").resolve(e2e.name);
    for (int i = 1; i <= JOBS; i++) {
      assertThat(keys).contains("output/out-" + i + ".txt", "logs/" + i + ".log");
      assertThat(results.resolve("output/out-" + i + ".txt")).hasContent("result of sample-" + i);
    }
    Map<Integer, Integer> ends = new TreeMap<>();
    events.stream().filter(e -> !e.start()).forEach(e -> ends.merge(e.job(), 1, Integer::sum));
    assertThat(ends).as("each job ran to its end exactly once").hasSize(JOBS)
        .allSatisfy((job, n) -> assertThat(n).isEqualTo(1));

    // The ledger: all DONE, none past the allowed attempts, and the handed-back jobs' killed runs
    // not counted as attempts (each of them DONE at attempt 1, on the replacement).
    Map<Integer, LedgerRow> ledger = ledger();
    assertThat(ledger).hasSize(JOBS).allSatisfy((job, row) -> {
      assertThat(row.state()).isEqualTo("DONE");
      assertThat(row.attempts()).isBetween(1, MAX_ATTEMPTS);
    });
    for (int job : handedBack) {
      assertThat(ledger.get(job)).isEqualTo(new LedgerRow("DONE", 1, replacement.id));
      // the log is the run that counted (lease 2), not the killed one
      assertThat(results.resolve("logs/" + job + ".log")).content()
          .contains("job " + job + " attempt 2 on " + replacement.id);
    }

    // Every instance ended terminated, the replacement included; the interrupted one never
    // reported the jobs it handed back.
    await(Duration.ofSeconds(10), () -> e2e.ec2.machines().stream()
        .allMatch(m -> m.state.equals("terminated")), null);
    assertThat(e2e.ec2.machines()).hasSize(3).allSatisfy(m ->
        assertThat(m.state).as(m.id).isEqualTo("terminated"));
    assertThat(e2e.ec2.alive()).isEmpty();
    assertThat(e2e.ec2.unexpected).isEmpty();
    // the coordinator stops what its replacer started (it also shut itself down when told)
    assertThat(e2e.ec2.terminateCalls).contains(replacement.id);
  }

  // ---- helpers

  private record Event(boolean start, int job, int attempt, String instance) {}

  private record LedgerRow(String state, int attempts, String node) {}

  private record Pool(String type, String zone, boolean spot) {}

  private static Pool pool(FakeEc2.Machine m) {
    return new Pool(m.type, m.zone, m.spot);
  }

  private static List<Event> journal(Path file) {
    List<Event> events = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return events;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.split(" ");
        if (f.length == 4) {
          events.add(new Event(f[0].equals("start"), Integer.parseInt(f[1]),
              Integer.parseInt(f[2]), f[3]));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return events;
  }

  private static Set<Integer> jobs(List<Event> events, String instance, boolean started) {
    Set<Integer> jobs = new TreeSet<>();
    events.stream().filter(e -> e.instance().equals(instance) && e.start() == started)
        .forEach(e -> jobs.add(e.job()));
    return jobs;
  }

  /** The ledger's last checkpoint in the bucket, by job number. */
  private Map<Integer, LedgerRow> ledger() throws IOException, SQLException {
    Path copy = tmp.resolve("ledger-copy.db");
    try (S3Client s3 = e2e.s3()) {
      Files.write(copy, s3.getObjectAsBytes(b -> b.bucket(e2e.name).key("state/ledger.db"))
          .asByteArray());
    }
    Map<Integer, LedgerRow> rows = new TreeMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + copy);
        Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT number, state, attempts, node FROM jobs")) {
      while (r.next()) {
        rows.put(r.getInt(1), new LedgerRow(r.getString(2), r.getInt(3), r.getString(4)));
      }
    }
    return rows;
  }

  private void await(Duration limit, BooleanSupplier condition, Process launcher)
      throws Exception {
    awaitValue(limit, () -> condition.getAsBoolean() ? Boolean.TRUE : null, launcher);
  }

  /** Polls until {@code value} is not null; fails when the time is up or the launcher ended. */
  private <T> T awaitValue(Duration limit, java.util.function.Supplier<T> value, Process launcher)
      throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (launcher != null && !launcher.isAlive()) {
        throw new AssertionError("the launcher ended early:\n" + new String(
            launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + e2e.logs());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("waited " + limit + " in vain" + e2e.logs());
      }
      Thread.sleep(100);
    }
  }
}
