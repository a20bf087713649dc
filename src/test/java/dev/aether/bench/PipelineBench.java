package dev.aether.bench;

import dev.aether.core.spi.AetherProgram;
import dev.aether.core.pipeline.ledger.ArgsFile;
import dev.aether.core.pipeline.coordinator.Coordinator;
import dev.aether.core.pipeline.agent.CoordinatorClient;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.providers.local.LocalMachines;
import dev.aether.providers.local.LocalStorage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmarks of the pipeline, run by bench/pipeline.sh (not a test). Modes:
 *
 * <pre>
 * run HOME NAME SCRIPT ARGS SLOTS       a whole batch on the local provider; prints wall seconds
 * coordinator JOBS AGENTS               assignments/s with AGENTS threads on loopback
 * queued JOBS                           peak RSS and heap with JOBS queued in the ledger
 * slow-clients SLOW ROUNDS              an agent's lease+complete latency while SLOW clients
 *                                       trickle their headers in (a byte every 2 s) and as
 *                                       many reconnect as soon as they are closed
 * </pre>
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "run" -> run(Path.of(a[1]), a[2], Path.of(a[3]), Path.of(a[4]), Integer.parseInt(a[5]));
      case "coordinator" -> coordinator(Integer.parseInt(a[1]), Integer.parseInt(a[2]));
      case "queued" -> queued(Integer.parseInt(a[1]));
      case "slow-clients" -> slowClients(Integer.parseInt(a[1]), Integer.parseInt(a[2]));
      default -> throw new IllegalArgumentException("unknown mode " + a[0]);
    }
  }

  static void run(Path home, String name, Path script, Path args, int slots) {
    ProjectDirs dirs = new ProjectDirs(home);
    LocalStorage bucket = new LocalStorage(dirs.bucket(name));
    long t0 = System.nanoTime();
    PipelineResult r = Pipeline.run(PipelineSpec.builder(name, script, args)
            .workDir(dirs.work(name)).instances(List.of(LocalMachines.thisMachine()))
            .slotsPerNode(slots).leaseTimeout(Duration.ofSeconds(30)).build(),
        new LocalMachines(AetherProgram.thisJvm("dev.aether.cli.Main"), name, bucket,
            dirs.work(name).resolve("nodes"), Duration.ofSeconds(60)), bucket,
        PipelineListener.NONE);
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("aether run: %d jobs, %d slots, %s, %.2f s%n", r.counts().total(), slots,
        r.succeeded() ? "all done" : "NOT all done: " + r.counts(), s);
  }

  static void coordinator(int jobs, int agents) throws Exception {
    Path dir = Files.createTempDirectory("aether-bench");
    try (JobLedger ledger = JobLedger.open(dir.resolve("ledger.db"))) {
      ledger.load(ArgsFile.parse(numbers(jobs)), false);
      Secret token = Secret.random();
      try (Coordinator c = Coordinator.start(ledger, new Coordinator.Settings(
              Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(1), Duration.ofSeconds(5),
              "script/x"), token, new InetSocketAddress("127.0.0.1", 0), () -> { },
          System::currentTimeMillis)) {
        AtomicLong assigned = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < agents; i++) {
          String node = "agent-" + i;
          Thread t = new Thread(() -> {
            CoordinatorClient client =
                new CoordinatorClient(c.uri("127.0.0.1"), token, Duration.ofSeconds(60));
            try {
              client.register(node, 1, 1);
              while (true) {
                LeaseReply r = client.lease(node);
                if (r.stop()) {
                  return;
                }
                if (r.job() == null) {
                  Thread.sleep(r.waitMillis());
                  continue;
                }
                assigned.incrementAndGet();
                client.complete(node, r.job(), 0);
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          threads.add(t);
          t.start();
        }
        for (Thread t : threads) {
          t.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        LedgerCounts counts = c.counts();
        System.out.printf("coordinator: %d agents, %d jobs assigned and completed in %.2f s:"
                + " %.0f assignments/s (%.0f requests/s); done=%d%n", agents, assigned.get(), s,
            assigned.get() / s, 2 * assigned.get() / s, counts.done());
      }
    }
  }

  static void queued(int jobs) throws Exception {
    Path dir = Files.createTempDirectory("aether-bench");
    long t0 = System.nanoTime();
    try (JobLedger ledger = JobLedger.open(dir.resolve("ledger.db"))) {
      ledger.load(ArgsFile.parse(numbers(jobs)), false);
      double load = (System.nanoTime() - t0) / 1e9;
      Secret token = Secret.random();
      try (Coordinator c = Coordinator.start(ledger, new Coordinator.Settings(
              Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(1), Duration.ofSeconds(5),
              "script/x"), token, new InetSocketAddress("127.0.0.1", 0), () -> { },
          System::currentTimeMillis)) {
        CoordinatorClient client =
            new CoordinatorClient(c.uri("127.0.0.1"), token, Duration.ofSeconds(60));
        client.register("n", 1, 1);
        long t1 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
          client.complete("n", client.lease("n").job(), 0);
        }
        double serve = (System.nanoTime() - t1) / 1e9;
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("queued: %d jobs loaded in %.1f s; 1000 lease+complete in %.2f s;"
                + " ledger %.0f MB; heap used after GC %.0f MB; peak RSS %s; counts %s%n",
            jobs, load, serve, Files.size(dir.resolve("ledger.db")) / 1e6,
            (rt.totalMemory() - rt.freeMemory()) / 1e6, peakRss(), c.counts());
      }
    }
  }

  static void slowClients(int slow, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("aether-bench");
    try (JobLedger ledger = JobLedger.open(dir.resolve("ledger.db"))) {
      ledger.load(ArgsFile.parse(numbers(rounds)), false);
      Secret token = Secret.random();
      try (Coordinator c = Coordinator.start(ledger, new Coordinator.Settings(
              Duration.ofSeconds(60), 3, 1, 1, OptionalInt.of(1), Duration.ofSeconds(5),
              "script/x"), token, new InetSocketAddress("127.0.0.1", 0), () -> { },
          System::currentTimeMillis)) {
        for (int i = 0; i < slow; i++) {
          Thread t = new Thread(() -> {
            while (true) { // a byte every 2 s; reconnect at once when closed
              try (java.net.Socket s = new java.net.Socket("127.0.0.1", c.port())) {
                while (true) {
                  s.getOutputStream().write('P');
                  s.getOutputStream().flush();
                  Thread.sleep(2000);
                }
              } catch (java.io.IOException e) {
                // closed by the server: open another
              } catch (InterruptedException e) {
                return;
              }
            }
          });
          t.setDaemon(true);
          t.start();
        }
        Thread.sleep(3000);
        CoordinatorClient client =
            new CoordinatorClient(c.uri("127.0.0.1"), token, Duration.ofSeconds(20));
        client.register("n", 1, 1);
        long[] took = new long[rounds];
        int failed = 0;
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          try {
            client.complete("n", client.lease("n").job(), 0);
          } catch (java.io.IOException e) {
            failed++;
          }
          took[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(took);
        System.out.printf("slow clients: %d trickling (reconnecting when closed); %d agent"
                + " lease+complete: median %.1f ms, p99 %.1f ms, max %.1f ms, %d failed;"
                + " %d connections closed by the server%n", slow, rounds,
            took[rounds / 2] / 1e6, took[(int) (rounds * 0.99)] / 1e6, took[rounds - 1] / 1e6,
            failed, c.refusedConnections());
      }
    }
  }

  private static String numbers(int n) {
    StringBuilder b = new StringBuilder(n * 8);
    for (int i = 1; i <= n; i++) {
      b.append("job ").append(i).append('\n');
    }
    return b.toString();
  }

  private static String peakRss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring(6).trim();
      }
    }
    return "unknown";
  }
}
