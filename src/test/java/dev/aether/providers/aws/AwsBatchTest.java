package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
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

  @Test
  void runsTheWholeBatchOnNodesItStartsAndBringsTheResultsHome() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    Path script = Files.writeString(project.resolve("job.sh"), """
        #!/bin/bash
        set -e
        echo "job $AETHER_JOB_NUMBER: $1 on $6"
        greet "$1" "$(cat data/suffix.txt)" > "$5/out-$AETHER_JOB_NUMBER.txt"
        """);
    Path bin = Files.createDirectories(project.resolve("bin"));
    Files.writeString(bin.resolve("greet"), "#!/bin/sh\necho \"hello $1$2\"\n");
    Path data = Files.createDirectories(project.resolve("data"));
    Files.writeString(data.resolve("suffix.txt"), "!");
    Path args = Files.writeString(project.resolve("args.txt"), "# samples\nalpha\nbeta\ngamma\n"
        + "delta\nepsilon\nzeta\n");
    Path prov = Files.writeString(project.resolve("prov.psv"),
        "m5.large|2|8|false|true|0.05|us-east-1a\nc5.large|2|4|false|false\n");
    Path home = tmp.resolve("home");

    TokenWatch watch = new TokenWatch();
    watch.start();
    Process launcher = aether(home, "--provider", "aws", "--offline", "-N", name, "-R", "us-east-1",
        "-S", script.toString(), "-A", args.toString(), "-B", bin.toString(), "-D", data.toString(),
        "-P", "1", "-M", "0.5", "-L", prov.toString(), "--agent-jar", e2e.jar.toString(),
        "--coordinator-port", Integer.toString(freePort()));
    boolean ended = launcher.waitFor(90, TimeUnit.SECONDS);
    watch.stop();
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(ended).as("launcher ended; output:\n" + out + logs()).isTrue();
    assertThat(launcher.exitValue()).as(out + logs()).isZero();

    // every job DONE, outputs and logs in the bucket and brought home
    assertThat(out).contains("6 of 6 jobs done").contains("Cost so far: $");
    List<String> keys = keys();
    assertThat(keys).contains("output/out-1.txt", "output/out-6.txt", "logs/1.log", "logs/6.log",
        "aether/aether.jar", "state/ledger.db", "state/result.properties");
    Path results = home.resolve("projects").resolve(name);
    assertThat(results.resolve("output/out-2.txt")).hasContent("hello beta!");
    assertThat(results.resolve("logs/6.log")).content().contains("job 6: zeta on 127.0.0.1");

    // one coordinator node (on-demand) and the plan's workers: spot at the bid and zone, on-demand
    List<FakeEc2.Machine> machines = ec2.machines();
    assertThat(machines).extracting(FakeEc2.Machine::role)
        .containsExactly("coordinator", "worker", "worker");
    FakeEc2.Machine coordinator = machines.get(0);
    assertThat(coordinator.spot).isFalse();
    assertThat(machines.get(1).spot).isTrue();
    assertThat(machines.get(1).maxPrice).contains("0.05");
    assertThat(machines.get(1).zone).contains("us-east-1a");
    assertThat(machines.get(2).spot).isFalse();
    assertThat(machines).allSatisfy(m -> {
      assertThat(m.tags).containsEntry("aether:project", name);
      assertThat(m.terminateOnShutdown).isTrue();
      assertThat(m.state).isEqualTo("terminated");
    });
    // the workers shut themselves down when told the batch is over, and the coordinator
    // terminated them; the launcher terminated the coordinator node
    assertThat(ec2.terminateCalls).containsAll(machines.stream().map(m -> m.id).toList());
    assertThat(machines.get(1).userData).contains("agent --provider aws --coordinator http://127.0.0.1:")
        .contains("--token-file /run/aether/token");
    assertThat(coordinator.userData).contains("coordinate --provider aws --bucket " + name + " --region us-east-1");

    // the token: made on the coordinator node, handed over in a bucket object, read into a 0600
    // file on each worker; never in user-data, on a command line or left in the bucket
    String token = watch.token.get();
    assertThat(token).as("the token object was seen while the batch ran").isNotNull().hasSizeGreaterThan(20);
    assertThat(watch.tokenFileModes).isNotEmpty()
        .allSatisfy(perms -> assertThat(perms).containsExactlyInAnyOrder(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(watch.commandLinesWithToken).isEmpty();
    assertThat(watch.commandLinesSeen).as("agent command lines were checked")
        .anyMatch(c -> c.contains(" agent --provider aws --coordinator "));
    assertThat(machines).allSatisfy(m -> assertThat(m.userData).doesNotContain(token));
    assertThat(keys).doesNotContain(Ec2Machines.TOKEN_KEY);
    try (S3Client s3 = s3()) {
      for (String key : keys) {
        String content = s3.getObjectAsBytes(b -> b.bucket(name).key(key)).asString(StandardCharsets.ISO_8859_1);
        assertThat(content).as(key).doesNotContain(token);
      }
    }
    assertThat(out).doesNotContain(token);

    // aether status: the counts from the last checkpoint copy, and the cost from EC2
    Process status = aether(home, "status", "-N", name);
    assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String shown = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shown).contains("6 of 6 jobs done").containsPattern("Cost so far: \\$0\\.\\d\\d for 3 instance");
  }

  @Test
  void downTerminatesEveryInstanceOfTheProjectAndDeletesTheGroupAndToken() throws Exception {
    AwsClients clients = AwsStubs.clientsFor(URI.create(S3.getServiceEndpoint()));
    AwsClients ec2Clients = new AwsClients(AwsStubs.REGION, java.util.Optional.of(ec2.endpoint()),
        clients.credentials(), clients.retries(), Map.of("s3", URI.create(S3.getServiceEndpoint())));
    try (S3Storage bucket = S3Storage.open(clients, name);
        Ec2Machines machines = new Ec2Machines(ec2Clients, bucket,
            new Ec2Machines.Settings(name, "aether-node", 7070))) {
      // a worker booting (its agent waits for a coordinator that is not there): a batch running
      machines.start(List.of(
              new dev.aether.core.plan.ProvisionedInstance("m5.large", 2, 8, false, false,
                  java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty())),
          new dev.aether.core.spi.NodeBootstrap(URI.create("http://127.0.0.1:9"), "t0ken-for-down",
              name));
    }
    assertThat(ec2.machines()).singleElement().extracting(m -> m.state).isEqualTo("running");

    Process down = aether(tmp.resolve("home"), "down", "--name", name);
    assertThat(down.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(down.exitValue()).as(out).isZero();
    String id = ec2.machines().get(0).id;
    assertThat(out).contains("Terminating 1 instance(s) of project " + name + ": " + id)
        .contains("Deleted the pipeline token").contains("Deleted the security group aether-" + name);
    assertThat(ec2.machines()).allSatisfy(m -> assertThat(m.state).isEqualTo("terminated"));
    assertThat(ec2.deletedGroup).isTrue();
    assertThat(keys()).doesNotContain(Ec2Machines.TOKEN_KEY);
  }

  // ---- helpers

  private Process aether(Path home, String... args) throws IOException {
    return e2e.aether(home, args);
  }

  private List<String> keys() {
    return e2e.keys();
  }

  private S3Client s3() {
    return e2e.s3();
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
