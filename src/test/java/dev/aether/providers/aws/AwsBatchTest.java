package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.aether.core.catalog.Market;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A whole batch on the AWS provider, with no network: the launcher is a real {@code aether}
 * process, S3 is S3Mock, and EC2 is {@link FakeEc2}, whose RunInstances boots local "machines"
 * by running their real user-data (stand-in dnf, aws, systemctl, shutdown). The coordinator node
 * and the workers are real {@code aether coordinate} / {@code aether agent} processes.
 */
class AwsBatchTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  @TempDir Path tmp;
  private AwsEndToEnd e2e;
  private FakeEc2 ec2;
  private String name;

  @BeforeEach
  void start() throws IOException {
    e2e = new AwsEndToEnd(S3.getServiceEndpoint(), tmp, Map.of());
    ec2 = e2e.ec2;
    name = e2e.name;
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  /**
   * The whole batch on a fresh account, on the road a first real run takes: the spot
   * service-linked role is missing (the launcher's check makes it), one pool of the plan has no
   * capacity (its slots are bought elsewhere) and one node's boot fails (it shuts itself down,
   * its boot log lands in the bucket, and it is replaced). Every job is done, the results come
   * home, and nothing is left running.
   */
  @Test
  void runsTheWholeBatchThroughACapacityShortageAndAFailedBootAndLeavesNothingRunning()
      throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    // Jobs hold until the test has seen the failed boot handled, so that the batch is still
    // running when it is (each machine is this computer: the jobs can see the test's file).
    Path go = tmp.resolve("go");
    Path script = Files.writeString(project.resolve("job.sh"), """
        #!/bin/bash
        set -e
        while [ ! -e '%s' ]; do sleep 0.2; done
        echo "job $AETHER_JOB_NUMBER: $1 on $6"
        greet "$1" "$(cat data/suffix.txt)" > "$5/out-$AETHER_JOB_NUMBER.txt"
        """.formatted(go));
    Path bin = Files.createDirectories(project.resolve("bin"));
    Files.writeString(bin.resolve("greet"), "#!/bin/sh\necho \"hello $1$2\"\n");
    Path data = Files.createDirectories(project.resolve("data"));
    Files.writeString(data.resolve("suffix.txt"), "!");
    Path args = Files.writeString(project.resolve("args.txt"), "# samples\nalpha\nbeta\ngamma\n"
        + "delta\nepsilon\nzeta\n");
    // spot m5.large in us-east-1a (the account's price there is 0.0453), an on-demand c5.large
    // whose boot fails, and a spot r5.large in a pool without capacity
    Path prov = Files.writeString(project.resolve("prov.psv"),
        "m5.large|2|8|false|true|0.05|us-east-1a\nc5.large|2|4|false|false\n"
            + "r5.large|2|16|false|true|0.06|us-east-1b\n");
    ec2.failPool("r5.large", "us-east-1b", Market.SPOT, "InsufficientInstanceCapacity");
    ec2.failBoots(1, FakeEc2.BootFailure.FAIL, m -> m.type.equals("c5.large")
        && m.role().equals("worker"));
    Path home = tmp.resolve("home");

    TokenWatch watch = new TokenWatch();
    watch.start();
    Process launcher = aether(home, "--provider", "aws", "--offline", "-N", name, "-R", "us-east-1",
        "-S", script.toString(), "-A", args.toString(), "-B", bin.toString(), "-D", data.toString(),
        "-P", "1", "-M", "0.5", "-L", prov.toString(), "--agent-jar", e2e.jar.toString(),
        "--coordinator-port", Integer.toString(freePort()));
    // the failed node ended and the coordinator has said so (and is replacing it)
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!failedBootReplaced() && launcher.isAlive() && System.nanoTime() < until) {
      Thread.sleep(200);
    }
    Files.writeString(go, "");
    boolean ended = launcher.waitFor(120, TimeUnit.SECONDS);
    watch.stop();
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(ended).as("launcher ended; output:\n" + out + logs()).isTrue();
    assertThat(launcher.exitValue()).as(out + logs()).isZero();

    // the launcher's check made the spot service-linked role, which the coordinator's role may not
    assertThat(out).contains("FIXED spot service-linked role: AWSServiceRoleForEC2Spot was"
        + " missing and has been created");
    assertThat(ec2.spotRoleExists).isTrue();

    // every job DONE, outputs and logs in the bucket and brought home
    assertThat(out).contains("6 of 6 jobs done").contains("Cost so far: $");
    List<String> keys = keys();
    assertThat(keys).contains("output/out-1.txt", "output/out-6.txt", "logs/1.log", "logs/6.log",
        "aether/aether.jar", "state/ledger.db", "state/result.properties",
        "state/status.properties");
    Path results = home.resolve("projects").resolve(name);
    assertThat(results.resolve("output/out-2.txt")).hasContent("hello beta!");
    assertThat(results.resolve("logs/6.log")).content().contains("job 6: zeta on 127.0.0.1");

    // one coordinator node (on-demand, its own profile) and the plan's workers
    List<FakeEc2.Machine> machines = ec2.machines();
    FakeEc2.Machine coordinator = machines.get(0);
    assertThat(coordinator.role()).isEqualTo("coordinator");
    assertThat(coordinator.spot).isFalse();
    assertThat(coordinator.profile).isEqualTo("aether-coordinator");
    FakeEc2.Machine spot = machines.get(1);
    assertThat(spot.type).isEqualTo("m5.large");
    assertThat(spot.spot).isTrue();
    assertThat(spot.maxPrice).contains("0.05");
    assertThat(spot.zone).isEqualTo("us-east-1a");
    assertThat(machines.subList(1, machines.size())).allSatisfy(m -> {
      assertThat(m.role()).isEqualTo("worker");
      assertThat(m.profile).isEqualTo("aether-worker");
    });
    assertThat(machines).allSatisfy(m -> {
      assertThat(m.tags).containsEntry("aether:project", name);
      assertThat(m.terminateOnShutdown).isTrue();
    });

    // the pool without capacity was left out and its two slots bought in another pool
    assertThat(out).contains("Could not start r5.large (spot, us-east-1b):"
        + " InsufficientInstanceCapacity").contains("left out the pool r5.large/us-east-1b/spot")
        .contains("Planned 2 slot(s) again on:");
    assertThat(machines).noneMatch(m -> m.type.equals("r5.large") && m.zone.equals("us-east-1b"));

    // the node whose boot failed shut itself down, left its boot log, and was replaced
    FakeEc2.Machine failed = machines.stream().filter(m -> m.bootFailure.isPresent())
        .findFirst().orElseThrow();
    assertThat(failed.shutDownItself).as("the boot's trap shut it down").isTrue();
    assertThat(out).contains("Node " + failed.id + " (c5.large) ended before it joined the"
        + " coordinator").contains("Replacing its 2 slot(s)");
    String bootLog = new String(read("logs/nodes/" + failed.id + "/boot.log"),
        StandardCharsets.UTF_8);
    assertThat(bootLog).contains("Failed to download metadata").contains("aether: boot failed");
    assertThat(results.resolve("logs/nodes/" + failed.id + "/boot.log")).exists();
    assertThat(keys).contains("logs/nodes/" + failed.id + "/console.txt");

    // nothing of the project is left running: every instance terminated, the group deleted
    assertThat(ec2.alive()).as("instances still running at the end").isEmpty();
    assertThat(machines).allSatisfy(m -> assertThat(m.state).isEqualTo("terminated"));
    assertThat(ec2.securityGroups()).doesNotContain("aether-" + name);
    assertThat(out).contains("Clean-up: Deleted the security group aether-" + name);
    assertThat(ec2.unexpected).isEmpty();
    assertThat(spot.userData).contains("agent --provider aws --coordinator http://127.0.0.1:")
        .contains("--token-file /run/aether/token");
    assertThat(coordinator.userData).contains("coordinate --provider aws --bucket " + name
        + " --region us-east-1");

    // the token: made on the coordinator node, handed over in a bucket object, read into a file
    // that was never readable by others; never in user-data, on a command line or left behind
    String token = watch.token.get();
    assertThat(token).as("the token object was seen while the batch ran").isNotNull().hasSizeGreaterThan(20);
    assertThat(watch.tokenFileModes).isNotEmpty()
        .allSatisfy(perms -> assertThat(perms).containsExactlyInAnyOrder(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(watch.commandLinesWithToken).isEmpty();
    assertThat(watch.commandLinesSeen).as("agent command lines were checked")
        .anyMatch(c -> c.contains(" agent --provider aws --coordinator "));
    assertThat(machines).allSatisfy(m -> assertThat(m.userData).doesNotContain(token));
    assertThat(keys()).doesNotContain(Ec2Machines.TOKEN_KEY);
    try (S3Client s3 = s3()) {
      for (String key : keys()) {
        String content = s3.getObjectAsBytes(b -> b.bucket(name).key(key)).asString(StandardCharsets.ISO_8859_1);
        assertThat(content).as(key).doesNotContain(token);
      }
    }
    assertThat(out).doesNotContain(token);

    // aether status: the counts from the last checkpoint copy, and the cost from EC2
    Process status = aether(home, "status", "-N", name);
    assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String shown = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shown).contains("6 of 6 jobs done")
        .containsPattern("Cost so far: \\$0\\.\\d\\d for " + machines.size() + " instance")
        .contains("for their root disks").contains("for their public IPv4 addresses");
  }

  /**
   * A coordinator node whose boot hangs: after the join deadline the launcher terminates it, keeps
   * its console output in the bucket, says where, and leaves nothing running.
   */
  @Test
  void aCoordinatorNodeThatNeverJoinsIsTerminatedWithItsConsoleKept() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    Path script = Files.writeString(project.resolve("job.sh"), "#!/bin/sh\ntrue\n");
    Path args = Files.writeString(project.resolve("args.txt"), "one\n");
    Path prov = Files.writeString(project.resolve("prov.psv"), "m5.large|2|8|false|false\n");
    ec2.spotRoleExists = true;
    ec2.failBoots(1, FakeEc2.BootFailure.HANG, m -> m.role().equals("coordinator"));

    long t0 = System.nanoTime();
    Process launcher = aether(tmp.resolve("home"), "--provider", "aws", "--offline", "-N", name,
        "-S", script.toString(), "-A", args.toString(), "-P", "1", "-M", "0.5",
        "-L", prov.toString(), "--agent-jar", e2e.jar.toString(), "--join-deadline", "5");
    assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.printf("hung coordinator: launcher ended after %.1f s%n",
        (System.nanoTime() - t0) / 1e9);

    assertThat(launcher.exitValue()).as(out).isEqualTo(1);
    FakeEc2.Machine node = ec2.machines().get(0);
    assertThat(out).contains("the coordinator node " + node.id + " did not start the batch within"
        + " 5 s of its launch, so it was terminated")
        .contains("its console output is in s3://" + name + "/logs/nodes/" + node.id
            + "/console.txt")
        .contains("nothing of project " + name + " is left running");
    assertThat(new String(read("logs/nodes/" + node.id + "/console.txt"), StandardCharsets.UTF_8))
        .contains("Waiting for the package mirror");
    assertThat(ec2.alive()).isEmpty();
    assertThat(ec2.machines()).hasSize(1); // no worker was ever started
    assertThat(ec2.unexpected).isEmpty();
  }

  @Test
  void downTerminatesEveryInstanceOfTheProjectAndDeletesTheGroupVolumesAndToken()
      throws Exception {
    AwsClients clients = AwsStubs.clientsFor(e2e.s3Endpoint);
    AwsClients ec2Clients = new AwsClients(AwsStubs.REGION, java.util.Optional.of(ec2.endpoint()),
        clients.credentials(), clients.retries(), Map.of("s3", e2e.s3Endpoint));
    try (S3Storage bucket = S3Storage.open(clients, name);
        Ec2Machines machines = new Ec2Machines(ec2Clients, bucket,
            new Ec2Machines.Settings(name, "aether-worker", 7070))) {
      // a worker still booting: a batch running
      ec2.failBoots(1, FakeEc2.BootFailure.HANG, m -> true);
      machines.start(List.of(
              new dev.aether.core.plan.ProvisionedInstance("m5.large", 2, 8, false, false,
                  java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty())),
          new dev.aether.core.spi.NodeBootstrap(URI.create("http://127.0.0.1:9"), "t0ken-for-down",
              name));
    }
    String volume = ec2.addVolume(name); // an attach-storage volume whose attach failed
    assertThat(ec2.machines()).singleElement().extracting(m -> m.state).isEqualTo("running");

    Process down = aether(tmp.resolve("home"), "down", "--name", name);
    assertThat(down.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(down.exitValue()).as(out).isZero();
    String id = ec2.machines().get(0).id;
    assertThat(out).contains("Terminating 1 instance(s) of project " + name + ": " + id)
        .contains("Deleted the pipeline token")
        .contains("Deleted 1 leftover volume(s) of project " + name + ": " + volume)
        .contains("Deleted the security group aether-" + name);
    assertThat(ec2.alive()).isEmpty();
    assertThat(ec2.volumes()).isEmpty();
    assertThat(ec2.securityGroups()).doesNotContain("aether-" + name);
    assertThat(keys()).doesNotContain(Ec2Machines.TOKEN_KEY);
  }

  // ---- helpers

  /**
   * The coordinator has told of the failed boot and replaced it: its note is in the run's status
   * object, which it writes before the replacement starts.
   */
  private boolean failedBootReplaced() {
    try {
      return new String(read("state/status.properties"), StandardCharsets.ISO_8859_1)
          .contains("ended before it joined");
    } catch (RuntimeException e) {
      return false; // not written yet
    }
  }

  private Process aether(Path home, String... args) throws IOException {
    return e2e.aether(home, args);
  }

  private List<String> keys() {
    return e2e.keys();
  }

  private S3Client s3() {
    return e2e.s3();
  }

  private byte[] read(String key) {
    try (S3Client s3 = s3()) {
      return s3.getObjectAsBytes(b -> b.bucket(name).key(key)).asByteArray();
    }
  }

  private static int freePort() throws IOException {
    return AwsEndToEnd.freePort();
  }

  private String logs() throws IOException {
    return e2e.logs();
  }

  /**
   * While the batch runs: reads the token object once it exists, then keeps checking every
   * process's command line for it, and the mode of the workers' token files.
   */
  private final class TokenWatch {
    final AtomicReference<String> token = new AtomicReference<>();
    final List<String> commandLinesWithToken = new CopyOnWriteArrayList<>();
    final List<String> commandLinesSeen = new CopyOnWriteArrayList<>();
    final List<Set<PosixFilePermission>> tokenFileModes = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private Thread thread;

    void start() {
      thread = new Thread(() -> {
        try (S3Client s3 = s3()) {
          while (running) {
            if (token.get() == null) {
              try {
                token.set(s3.getObjectAsBytes(b -> b.bucket(name).key(Ec2Machines.TOKEN_KEY))
                    .asUtf8String());
              } catch (RuntimeException e) {
                // not there yet
              }
            }
            String t = token.get();
            ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(c -> {
              if (c.contains("dev.aether") || c.contains("aether.jar")) {
                commandLinesSeen.add(c);
              }
              if (t != null && c.contains(t)) {
                commandLinesWithToken.add(c);
              }
            }));
            for (FakeEc2.Machine m : ec2.machines()) {
              Path f = m.root.resolve("run/aether/token");
              try {
                if (Files.exists(f) && m.role().equals("worker")) {
                  tokenFileModes.add(Files.getPosixFilePermissions(f));
                }
              } catch (IOException e) {
                // gone
              }
            }
            Thread.sleep(200);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "token-watch");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }
  }

}
