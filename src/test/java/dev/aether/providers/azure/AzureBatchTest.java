package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole batch on the Azure provider with no network but loopback: the launcher is a real
 * {@code aether} process logged in with {@code az login}; ARM is {@link FakeArm}, whose VM PUTs
 * boot local machines from their real custom data ({@link FakeVm}); Blob storage is Azurite
 * taking Entra ID tokens. The coordinator VM and the workers are real {@code aether coordinate}
 * / {@code aether agent} processes that authenticate with their managed identity.
 */
class AzureBatchTest {
  @TempDir Path tmp;
  private AzureEndToEnd e2e;

  @BeforeEach
  void start() throws Exception {
    e2e = new AzureEndToEnd(tmp, Map.of());
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void runsTheWholeBatchOnVmsItStartsAndLeavesNothingRunning() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    Path script = Files.writeString(project.resolve("job.sh"), """
        #!/bin/bash
        set -e
        echo "job $AETHER_JOB_NUMBER: $1 on $6 ($AETHER_VM_NAME)"
        greet "$1" "$(cat data/suffix.txt)" > "$5/out-$AETHER_JOB_NUMBER.txt"
        """);
    Path bin = Files.createDirectories(project.resolve("bin"));
    Files.writeString(bin.resolve("greet"), "#!/bin/sh\necho \"hello $1$2\"\n");
    Path data = Files.createDirectories(project.resolve("data"));
    Files.writeString(data.resolve("suffix.txt"), "!");
    Path args = Files.writeString(project.resolve("args.txt"),
        "# samples\nalpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n");
    Path prov = Files.writeString(project.resolve("prov.psv"),
        "Standard_D2s_v5|2|8|false|true|0.096\nStandard_D2as_v5|2|8|false|false\n");
    Path home = tmp.resolve("home");
    String name = e2e.name;
    int port = AzureEndToEnd.freePort();

    TokenWatch watch = new TokenWatch();
    watch.start();
    Process launcher = e2e.aether(home, "--provider", "azure", "--offline", "-N", name,
        "-R", "eastus", "-S", script.toString(), "-A", args.toString(), "-B", bin.toString(),
        "-D", data.toString(), "-P", "1", "-M", "0.5", "-L", prov.toString(),
        "--agent-jar", e2e.jar.toString(), "--coordinator-port", Integer.toString(port));
    boolean ended = launcher.waitFor(120, TimeUnit.SECONDS);
    watch.stop();
    String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(ended).as("launcher ended; output:\n" + out + e2e.logs()).isTrue();
    assertThat(launcher.exitValue()).as(out + e2e.logs()).isZero();

    // every job DONE, its output and log in the container and brought home
    assertThat(out).contains("Running on azure in eastus").contains("6 of 6 jobs done")
        .contains("Cost so far: $");
    List<String> keys = e2e.keys();
    assertThat(keys).contains("output/out-1.txt", "output/out-6.txt", "logs/1.log", "logs/6.log",
        "aether/aether.jar", "state/ledger.db", "state/result.properties");
    Path results = home.resolve("projects").resolve(name);
    assertThat(results.resolve("output/out-2.txt")).hasContent("hello beta!");
    assertThat(results.resolve("logs/6.log")).content().contains("job 6: zeta on 127.0.0.1");

    // one coordinator VM (pay-as-you-go) and the plan's workers: Spot at the bid, evicted =
    // deleted; pay-as-you-go. The user made the coordinator; the coordinator's managed identity
    // made the workers.
    FakeArm arm = e2e.arm;
    List<FakeArm.Vm> vms = arm.history;
    assertThat(vms).extracting(FakeArm.Vm::role).containsExactly("coordinator", "worker",
        "worker");
    FakeArm.Vm coordinator = vms.get(0);
    FakeArm.Vm spot = vms.get(1);
    FakeArm.Vm payg = vms.get(2);
    assertThat(coordinator.spot()).isFalse();
    assertThat(coordinator.size()).isEqualTo("Standard_B2als_v2");
    assertThat(spot.spot()).isTrue();
    assertThat(spot.maxPrice()).contains(0.096);
    assertThat(spot.properties().path("evictionPolicy").asText()).isEqualTo("Delete");
    assertThat(payg.spot()).isFalse();
    assertThat(payg.properties().path("priority").asText()).isEqualTo("Regular");
    // the project's identity (deleted with its group once the batch is over)
    assertThat(arm.identityHistory).hasSize(1);
    FakeArm.Identity identity = arm.identityHistory.get(0);
    assertThat(coordinator.createdBy).isEqualTo(AzureEndToEnd.USER_OID);
    assertThat(spot.createdBy).isEqualTo(identity.principalId());
    assertThat(payg.createdBy).isEqualTo(identity.principalId());
    assertThat(vms).allSatisfy(v -> {
      assertThat(v.tag(AzureNames.PROJECT_TAG)).isEqualTo(name);
      assertThat(v.identityId()).isEqualToIgnoringCase(e2e.names.identityId());
      assertThat(v.properties().path("osProfile").has("adminPassword")).isFalse();
      assertThat(v.properties().path("networkProfile").path("networkInterfaceConfigurations")
          .path(0).path("properties").path("ipConfigurations").path(0).path("properties")
          .has("publicIPAddressConfiguration")).as("no public address").isFalse();
      assertThat(v.machine.tokenRequests).as("every token the node asked for was its own")
          .isNotEmpty().noneMatch(t -> t.endsWith("(no id)"));
      assertThat(v.machine.unknown).as("metadata requests the fake does not know").isEmpty();
    });
    assertThat(spot.customData()).contains("agent --provider azure --coordinator http://127.0.0.1:"
        + port).contains("--token-file /run/aether/token");
    assertThat(coordinator.customData()).contains("coordinate --provider azure --bucket " + name
        + " --region eastus --coordinator-port " + port);

    // nothing of the batch runs or bills any more: every VM, NIC and disk is gone
    await(Duration.ofSeconds(20), () -> arm.vms.isEmpty() && arm.nics.isEmpty()
        && arm.disks.isEmpty());
    // the workers deleted themselves when told the batch was over, or the coordinator did; the
    // launcher deletes the coordinator once it has the results (the coordinator's own delete
    // may come first or, once its VM is gone, never: a race, not asserted)
    assertThat(arm.calls("DELETE", "/virtualMachines/" + coordinator.name))
        .extracting(FakeArm.Call::oid).contains(AzureEndToEnd.USER_OID);

    // the project's resources: a tagged group, the network admitting only the coordinator port
    // from the VNet, an account without shared keys, the identity's two roles
    JsonNode group = arm.groups.get(e2e.names.group());
    assertThat(group.path("tags").path("aether:project").asText()).isEqualTo(name);
    JsonNode rules = arm.nsgs.get(e2e.names.group() + "/aether-nsg").path("properties")
        .path("securityRules");
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).path("properties").path("destinationPortRange").asText())
        .isEqualTo(Integer.toString(port));
    assertThat(rules.get(0).path("properties").path("sourceAddressPrefix").asText())
        .isEqualTo("VirtualNetwork");
    assertThat(rules.get(0).path("properties").path("access").asText()).isEqualTo("Allow");
    assertThat(rules.get(1).path("properties").path("access").asText()).isEqualTo("Deny");
    assertThat(rules.get(1).path("properties").path("sourceAddressPrefix").asText()).isEqualTo("*");
    assertThat(arm.vnets.get(e2e.names.group() + "/aether-vnet").path("properties")
        .path("subnets").path(0).path("properties").path("networkSecurityGroup").path("id")
        .asText()).endsWith("/networkSecurityGroups/aether-nsg");
    JsonNode account = arm.accounts.get(e2e.names.account()).path("properties");
    assertThat(account.path("allowSharedKeyAccess").asBoolean(true)).isFalse();
    assertThat(account.path("allowBlobPublicAccess").asBoolean(true)).isFalse();
    assertThat(arm.roleAssignments.values()).extracting(a -> a.path("properties"))
        .extracting(p -> p.path("scope").asText() + " " + p.path("roleDefinitionId").asText()
            .replaceAll(".*/", "") + " " + p.path("principalId").asText())
        .containsExactlyInAnyOrder(
            e2e.names.groupId() + " " + AzureNames.CONTRIBUTOR + " " + identity.principalId(),
            e2e.names.containerScope() + " " + AzureNames.BLOB_DATA_CONTRIBUTOR + " "
                + identity.principalId());
    assertThat(arm.unknown).as("ARM requests the fake does not know").isEmpty();

    // the token: made on the coordinator VM, handed over in a blob only the project identity
    // may read, read into a 0600 file on each worker; never in custom data, on a command line,
    // in the output or left in the container
    String token = watch.token.get();
    assertThat(token).as("the token blob was seen while the batch ran").isNotNull()
        .hasSizeGreaterThan(20);
    assertThat(watch.tokenFileModes).isNotEmpty().allSatisfy(perms ->
        assertThat(perms).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE));
    assertThat(watch.commandLinesSeen).as("agent command lines were checked")
        .anyMatch(c -> c.contains(" agent --provider azure --coordinator "));
    assertThat(watch.commandLinesWithToken).isEmpty();
    assertThat(vms).allSatisfy(v -> assertThat(v.customData()).doesNotContain(token));
    assertThat(keys).doesNotContain("secrets/pipeline-token");
    for (String key : keys) {
      assertThat(e2e.read(key)).as(key).doesNotContain(token);
    }
    assertThat(out).doesNotContain(token);

    // aether status: the counts of the last checkpoint copied home
    Process status = e2e.aether(home, "status", "-N", name);
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String shown = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shown).as(shown).contains("6 of 6 jobs done").contains("Cost so far: $");
  }

  @Test
  void downDeletesTheProjectsGroupWithItsRunningVmsAndKeepsTheResults() throws Exception {
    FakeArm arm = e2e.arm;
    arm.onCreate = vm -> {}; // a VM that would be running; booting it adds nothing here
    String name = e2e.name;
    com.azure.core.credential.TokenCredential user = ctx -> reactor.core.publisher.Mono.just(
        new com.azure.core.credential.AccessToken(FakeVm.jwt("https://management.azure.com",
            AzureEndToEnd.USER_OID), java.time.OffsetDateTime.now().plusHours(1)));
    Arm client = new Arm(user, FakeArm.SUBSCRIPTION, new AzureEndpoints(arm.endpoint(),
        java.util.Optional.empty(), java.net.URI.create("http://127.0.0.1:9"),
        java.net.URI.create("http://127.0.0.1:9")),
        java.util.Optional.of(TestTls.get().azureHttpClient()));
    ProjectResources resources = new ProjectResources(client, e2e.names, 7070);
    resources.ensureStorage();
    String clientId = resources.ensureProject();
    e2e.container().create();
    e2e.container().getBlobClient("output/result.txt").upload(
        com.azure.core.util.BinaryData.fromString("kept"));
    AzureMachinesTest.MemoryStorage tokenBox = new AzureMachinesTest.MemoryStorage();
    new AzureMachines(client, e2e.names, tokenBox, 7070, () -> clientId).start(List.of(
        new dev.aether.core.plan.ProvisionedInstance("Standard_D2s_v5", 2, 8, false, true,
            java.util.Optional.of(new java.math.BigDecimal("0.096")), java.util.Optional.empty(),
            java.util.Optional.empty())), new dev.aether.core.spi.NodeBootstrap(
        java.net.URI.create("http://10.42.0.4:7070"), "t0ken-for-down", name));
    e2e.container().getBlobClient("secrets/pipeline-token").upload(
        com.azure.core.util.BinaryData.fromString("t0ken-for-down"));
    String vm = arm.history.get(0).name;
    assertThat(arm.vms).hasSize(1);

    Process down = e2e.aether(tmp.resolve("home"), "down", "--name", name, "--provider", "azure");
    assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(down.exitValue()).as(out).isZero();
    assertThat(out).contains("Deleting the 1 VM(s) of project " + name + ": " + vm)
        .contains("Deleted the pipeline token")
        .contains("Deleted the resource group " + e2e.names.group())
        .contains("Kept the container").contains("az storage container delete --account-name "
            + e2e.names.account() + " --name " + name);
    assertThat(arm.groups).doesNotContainKey(e2e.names.group()).containsKey("aether-data");
    assertThat(arm.vms).isEmpty();
    assertThat(arm.nics).isEmpty();
    assertThat(arm.disks).isEmpty();
    assertThat(arm.identities).isEmpty();
    assertThat(arm.nsgs).isEmpty();
    assertThat(arm.vnets).isEmpty();
    assertThat(arm.roleAssignments).as("no assignment is left to a deleted identity").isEmpty();
    assertThat(arm.accounts).containsKey(e2e.names.account());
    assertThat(e2e.keys()).containsExactly("output/result.txt");
    assertThat(arm.unknown).isEmpty();
  }

  // ---- helpers

  private void await(Duration limit, BooleanSupplier condition) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("waited " + limit + " in vain: VMs " + e2e.arm.vms.keySet()
            + ", NICs " + e2e.arm.nics.keySet() + ", disks " + e2e.arm.disks.keySet()
            + e2e.logs());
      }
      Thread.sleep(100);
    }
  }

  /**
   * While the batch runs: reads the token blob once it is there, then keeps checking every
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
        while (running) {
          if (token.get() == null) {
            try {
              token.set(e2e.read("secrets/pipeline-token"));
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
          for (FakeArm.Vm v : e2e.arm.history) {
            FakeVm m = v.machine;
            if (m == null || !"worker".equals(v.role())) {
              continue;
            }
            Path f = m.root.resolve("run/aether/token");
            try {
              if (Files.exists(f)) {
                tokenFileModes.add(Files.getPosixFilePermissions(f));
              }
            } catch (IOException e) {
              // gone
            }
          }
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
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
