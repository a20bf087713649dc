package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spot eviction on the Azure provider, end to end on the fakes of {@link AzureBatchTest}: the
 * plan's only worker is a Spot VM; while it runs jobs its metadata service's Scheduled Events
 * start listing a Preempt of it, and a few seconds later the fake ARM deletes it, as Azure does
 * with eviction policy Delete. The agent must hand its runs back uncounted, the coordinator VM
 * must buy the lost slots in another pool, and that replacement must finish the batch with no
 * job lost.
 */
class AzureEvictionTest {
  private static final int JOBS = 6;
  @TempDir Path tmp;
  private AzureEndToEnd e2e;

  @BeforeEach
  void start() throws Exception {
    // agents read Scheduled Events every second instead of every two (AzureProvider.POLL_ENV)
    e2e = new AzureEndToEnd(tmp, Map.of(AzureProvider.POLL_ENV, "1"));
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void anEvictionIsAnsweredByCapacityInAnotherPoolAndNoJobIsLost() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    // every VM is this computer, so jobs keep a journal the test reads: job, attempt, VM
    Path journal = tmp.resolve("journal.txt");
    Path script = Files.writeString(project.resolve("job.sh"), """
        #!/bin/bash
        set -e
        echo "start $AETHER_JOB_NUMBER $AETHER_ATTEMPT $AETHER_VM_NAME" >> '%1$s'
        echo "job $AETHER_JOB_NUMBER attempt $AETHER_ATTEMPT on $AETHER_VM_NAME"
        sleep 4
        echo "result of $1" > "$5/out-$AETHER_JOB_NUMBER.txt"
        echo "end $AETHER_JOB_NUMBER $AETHER_ATTEMPT $AETHER_VM_NAME" >> '%1$s'
        """.formatted(journal));
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= JOBS; i++) {
      lines.append("sample-").append(i).append('\n');
    }
    Path args = Files.writeString(project.resolve("args.txt"), lines);
    // The prices the launcher bids with and hands the coordinator for replacements: the plan's
    // Spot pool is the cheapest, so a replacement elsewhere shows that pool was left out.
    Path catalog = Files.writeString(project.resolve("prices.csv"), """
        instance_type,vcpus,memory_gib,region,on_demand_price,spot_price
        Standard_D2s_v5,2,8,eastus,0.096,0.0106
        Standard_D2as_v5,2,8,eastus,0.086,0.0125
        """);
    Path prov = Files.writeString(project.resolve("prov.psv"),
        "Standard_D2s_v5|2|8|false|true|0.096\n");
    Path home = tmp.resolve("home");

    Process launcher = e2e.aether(home, "--provider", "azure", "--offline", "-N", e2e.name,
        "-R", "eastus", "--catalog", catalog.toString(), "-S", script.toString(),
        "-A", args.toString(), "-P", "1", "-M", "0.5", "-L", prov.toString(),
        "--agent-jar", e2e.jar.toString(), "--coordinator-port",
        Integer.toString(AzureEndToEnd.freePort()));

    // mid-run: the Spot worker has finished a wave of jobs and started the next one
    FakeArm.Vm spot = awaitValue(Duration.ofSeconds(90), () -> e2e.arm.history.stream()
        .filter(v -> "worker".equals(v.role()) && v.machine != null).findFirst().orElse(null),
        launcher);
    assertThat(spot.spot()).isTrue();
    awaitValue(Duration.ofSeconds(60), () -> journal(journal).stream()
        .filter(e -> e.vm().equals(spot.name) && e.start()).count() >= 3 ? true : null, launcher);
    spot.machine.preempt(Instant.now().plusSeconds(30));
    // Azure takes the VM when the notice's time comes: here a few seconds later
    Thread.sleep(4000);
    e2e.arm.evict(spot.name);

    boolean ended = launcher.waitFor(120, TimeUnit.SECONDS);
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(ended).as("launcher ended; output:\n" + out + e2e.logs()).isTrue();
    assertThat(launcher.exitValue()).as(out + e2e.logs()).isZero();
    String logs = e2e.logs();

    // the evicted worker handed back the jobs it was running, killed before their end
    List<Event> events = journal(journal);
    Set<Integer> handedBack = jobs(events, spot.name, true);
    handedBack.removeAll(jobs(events, spot.name, false));
    assertThat(handedBack).as("jobs killed mid-run on the evicted VM\n" + events + logs)
        .isNotEmpty();
    assertThat(Files.readString(spot.machine.root.resolve("aether-agent.log")))
        .contains("interrupted (Spot eviction (Preempt, not before ")
        .contains("handed back " + handedBack.size());

    // the coordinator VM bought the lost slots again, in another pool, with its own identity
    List<FakeArm.Vm> vms = e2e.arm.history;
    assertThat(vms).as(logs).extracting(FakeArm.Vm::role)
        .containsExactly("coordinator", "worker", "worker");
    FakeArm.Vm replacement = vms.get(2);
    assertThat(replacement.size() + " " + replacement.spot()).as("the replacement's pool")
        .isNotEqualTo(spot.size() + " " + spot.spot())
        .isEqualTo("Standard_D2as_v5 true");
    assertThat(replacement.maxPrice()).as("a Spot replacement is capped at its bid")
        .contains(0.086);
    assertThat(replacement.properties().path("evictionPolicy").asText()).isEqualTo("Delete");
    assertThat(replacement.createdBy).isEqualTo(spot.createdBy).isNotEqualTo(
        AzureEndToEnd.USER_OID);
    assertThat(Files.readString(vms.get(0).machine.root.resolve("aether-coordinator.log")))
        .contains("node " + spot.name + " is interrupted; gave back " + handedBack.size());

    // ... which booted and ran jobs: the handed-back ones under their next lease number (no
    // AETHER_ATTEMPT is given twice), the evicted run not counted as a failed attempt
    for (int job : handedBack) {
      assertThat(events).as("job " + job + " ran again on the replacement, as lease 2")
          .contains(new Event(true, job, 2, replacement.name),
              new Event(false, job, 2, replacement.name));
    }

    // every job DONE once, its output in the container and at home
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
    Map<Integer, String> ledger = ledger(results.resolve("ledger-copy.db"));
    assertThat(ledger).hasSize(JOBS).allSatisfy((job, row) -> assertThat(row).startsWith("DONE"));
    for (int job : handedBack) {
      assertThat(ledger.get(job)).isEqualTo("DONE 1 " + replacement.name);
    }

    // nothing of the batch is left running
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!e2e.arm.vms.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(e2e.arm.vms).as("VMs left").isEmpty();
    assertThat(e2e.arm.nics).isEmpty();
    assertThat(e2e.arm.disks).isEmpty();
    assertThat(e2e.arm.unknown).isEmpty();
  }

  // ---- helpers

  private record Event(boolean start, int job, int attempt, String vm) {}

  private static List<Event> journal(Path file) {
    List<Event> events = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] f = line.split(" ");
          if (f.length == 4) {
            events.add(new Event(f[0].equals("start"), Integer.parseInt(f[1]),
                Integer.parseInt(f[2]), f[3]));
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return events;
  }

  private static Set<Integer> jobs(List<Event> events, String vm, boolean started) {
    Set<Integer> jobs = new TreeSet<>();
    events.stream().filter(e -> e.vm().equals(vm) && e.start() == started)
        .forEach(e -> jobs.add(e.job()));
    return jobs;
  }

  /** The ledger's last checkpoint in the container: "STATE ATTEMPTS NODE" by job number. */
  private Map<Integer, String> ledger(Path copy) throws Exception {
    Files.createDirectories(copy.getParent());
    e2e.container().getBlobClient("state/ledger.db").downloadToFile(copy.toString(), true);
    Map<Integer, String> rows = new TreeMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + copy);
        Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT number, state, attempts, node FROM jobs")) {
      while (r.next()) {
        rows.put(r.getInt(1), r.getString(2) + " " + r.getInt(3) + " " + r.getString(4));
      }
    }
    return rows;
  }

  /** Polls until {@code value} is not null; fails when the time is up or the launcher ended. */
  private <T> T awaitValue(Duration limit, Supplier<T> value, Process launcher) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (!launcher.isAlive()) {
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
