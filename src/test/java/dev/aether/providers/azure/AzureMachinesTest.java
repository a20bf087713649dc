package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.Storage;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The project's VMs and resources against {@link FakeArm} (HTTPS, strict): what each VM is asked
 * for, what a failed start leaves (nothing), how an evicted VM is still found.
 */
class AzureMachinesTest {
  private static final String PROJECT = "proj-vms";
  private static final NodeBootstrap BOOTSTRAP = new NodeBootstrap(
      URI.create("http://10.42.0.4:7070"), "t0ken-that-must-stay-secret", PROJECT);

  private FakeArm fake;
  private Arm arm;
  private AzureNames names;
  private MemoryStorage bucket;
  private AzureMachines machines;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeArm();
    TokenCredential user = ctx -> Mono.just(new AccessToken(FakeVm.jwt(
        "https://management.azure.com", AzureEndToEnd.USER_OID), OffsetDateTime.now().plusHours(1)));
    arm = new Arm(user, FakeArm.SUBSCRIPTION, new AzureEndpoints(fake.endpoint(),
        Optional.empty(), URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:9")),
        Optional.of(TestTls.get().azureHttpClient()));
    names = new AzureNames(FakeArm.SUBSCRIPTION, "eastus", PROJECT);
    String clientId = new ProjectResources(arm, names, 7070).ensureProject();
    bucket = new MemoryStorage();
    machines = new AzureMachines(arm, names, bucket, 7070, () -> clientId);
  }

  @AfterEach
  void stop() {
    try {
      assertThat(fake.unknown).as("ARM requests the fake does not know").isEmpty();
    } finally {
      fake.close();
    }
  }

  private static ProvisionedInstance spot(String size, String bid) {
    return new ProvisionedInstance(size, 2, 8, false, true, Optional.of(new BigDecimal(bid)),
        Optional.empty(), Optional.empty());
  }

  private static ProvisionedInstance payg(String size) {
    return new ProvisionedInstance(size, 2, 8, false, false, Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  @Test
  void startsSpotVmsCappedAtTheBidAndDeletedOnEvictionAndPayAsYouGoVms() {
    List<Node> nodes = machines.start(List.of(spot("Standard_D2s_v5", "0.096"),
        payg("Standard_D2as_v5")), BOOTSTRAP);

    assertThat(nodes).extracting(Node::state).containsOnly(NodeState.RUNNING);
    assertThat(fake.history).hasSize(2);
    FakeArm.Vm s = fake.history.get(0);
    FakeArm.Vm p = fake.history.get(1);
    assertThat(s.spot()).isTrue();
    assertThat(s.maxPrice()).contains(0.096);
    assertThat(s.properties().path("evictionPolicy").asText()).isEqualTo("Delete");
    assertThat(p.properties().path("priority").asText()).isEqualTo("Regular");
    assertThat(p.properties().has("billingProfile")).isFalse();
    for (FakeArm.Vm v : fake.history) {
      JsonNode props = v.properties();
      assertThat(v.tag("aether:project")).isEqualTo(PROJECT);
      assertThat(v.tag("aether:role")).isEqualTo("worker");
      assertThat(v.identityId()).isEqualTo(names.identityId());
      assertThat(v.body.path("identity").path("type").asText()).isEqualTo("UserAssigned");
      assertThat(props.path("storageProfile").path("osDisk").path("deleteOption").asText())
          .isEqualTo("Delete");
      JsonNode nic = props.path("networkProfile").path("networkInterfaceConfigurations").path(0)
          .path("properties");
      assertThat(nic.path("deleteOption").asText()).isEqualTo("Delete");
      assertThat(nic.path("ipConfigurations").path(0).path("properties").path("subnet")
          .path("id").asText()).isEqualTo(names.subnetId());
      JsonNode os = props.path("osProfile");
      assertThat(os.has("adminPassword")).isFalse();
      assertThat(os.path("linuxConfiguration").path("disablePasswordAuthentication").asBoolean())
          .isTrue();
      assertThat(os.path("linuxConfiguration").path("ssh").path("publicKeys").path(0)
          .path("keyData").asText()).startsWith("ssh-rsa ");
      assertThat(props.path("storageProfile").path("imageReference").path("offer").asText())
          .isEqualTo("ubuntu-24_04-lts");
      assertThat(v.customData()).startsWith("#!/bin/bash")
          .contains("agent --provider azure --coordinator http://10.42.0.4:7070 --token-file"
              + " /run/aether/token --project " + PROJECT + " --bucket " + PROJECT
              + " --region eastus")
          .contains("https://" + names.account() + ".blob.core.windows.net/" + PROJECT + "/$1")
          .doesNotContain(BOOTSTRAP.token());
    }
    assertThat(s.tag("aether:instance")).isEqualTo("Standard_D2s_v5|2|8|false|true|0.096|");
    // the token is handed over in the project's container, not in the VMs' custom data
    assertThat(bucket.read("secrets/pipeline-token")).hasValueSatisfying(b ->
        assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(BOOTSTRAP.token()));
    assertThat(machines.list()).extracting(Node::id).containsExactlyInAnyOrder(
        nodes.get(0).id(), nodes.get(1).id());
  }

  @Test
  void aStartRefusedOnTheWayLeavesNoVmNicOrDiskBehind() {
    fake.failures.add(new FakeArm.Failure(2, 409, "OperationNotAllowed", "Operation could not"
        + " be completed as it results in exceeding approved standardDSv5Family Cores quota.",
        false));

    assertThatThrownBy(() -> machines.start(List.of(spot("Standard_D2s_v5", "0.096"),
        spot("Standard_D2s_v5", "0.096"), payg("Standard_D2as_v5")), BOOTSTRAP))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("starting Standard_D2s_v5 (Spot, max price $0.096/h) in eastus")
        .hasMessageContaining("vCPU quota is used up")
        .hasMessageContaining("deleted the 1 VM(s) this start had made");
    assertThat(fake.history).hasSize(1);
    assertThat(fake.vms).isEmpty();
    assertThat(fake.nics).isEmpty();
    assertThat(fake.disks).isEmpty();
    assertThat(machines.list()).isEmpty();
  }

  @Test
  void aVmThatFailsWhileBeingMadeIsDeletedWithTheOthersOfItsStart() {
    fake.failures.add(new FakeArm.Failure(1, 0, "AllocationFailed", "Allocation failed. We do not"
        + " have sufficient capacity for the requested VM size in this region.", true));

    assertThatThrownBy(() -> machines.start(List.of(spot("Standard_D2s_v5", "0.096"),
        payg("Standard_D2as_v5")), BOOTSTRAP))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("no capacity of this size")
        .hasMessageContaining("deleted the 2 VM(s)");
    assertThat(fake.history).hasSize(2);
    assertThat(fake.calls("DELETE", "/virtualMachines/")).hasSize(2);
    assertThat(fake.vms).isEmpty();
    assertThat(fake.nics).isEmpty();
    assertThat(fake.disks).isEmpty();
  }

  @Test
  void anEvictedSpotVmIsGoneFromTheListButStillFoundWithItsPool() {
    Node n = machines.start(List.of(spot("Standard_D2s_v5", "0.05")), BOOTSTRAP).get(0);
    fake.evict(n.id());

    assertThat(machines.list()).isEmpty();
    Optional<Node> found = machines.find(n.id());
    assertThat(found).hasValueSatisfying(f -> {
      assertThat(f.state()).isEqualTo(NodeState.GONE);
      assertThat(f.instance().type()).isEqualTo("Standard_D2s_v5");
      assertThat(f.instance().biddable()).isTrue();
    });
    assertThat(machines.find("aether-w-nosuchvm00")).isEmpty();
    assertThat(fake.nics).isEmpty();
  }

  @Test
  void workersAndTheCoordinatorAreToldApartAndStoppedByDeletion() {
    Node coordinator = machines.startCoordinator(payg("Standard_B2als_v2"));
    Node worker = machines.start(List.of(payg("Standard_D2as_v5")), BOOTSTRAP).get(0);

    assertThat(coordinator.id()).startsWith("aether-c-");
    assertThat(worker.id()).startsWith("aether-w-");
    assertThat(machines.list()).extracting(Node::id).containsExactly(worker.id());
    assertThat(machines.coordinators()).extracting(Node::id).containsExactly(coordinator.id());
    assertThat(fake.history.get(0).customData()).contains("coordinate --provider azure --bucket "
        + PROJECT + " --region eastus --coordinator-port 7070");
    assertThat(machines.find(coordinator.id())).as("find() is for workers").isEmpty();

    machines.stop(worker);
    machines.stop(worker); // stopping a stopped node does nothing
    assertThat(machines.list()).isEmpty();
    assertThat(machines.coordinators()).hasSize(1);
  }

  @Test
  void projectResourcesAreMadeOnceAndAgainWithoutChange() {
    int before = fake.roleAssignments.size();
    String clientId = new ProjectResources(arm, names, 7070).ensureProject();

    assertThat(fake.roleAssignments).hasSize(before).hasSize(2);
    assertThat(fake.identities.values()).singleElement()
        .satisfies(i -> assertThat(i.clientId()).isEqualTo(clientId));
    assertThat(fake.groups.get(names.group()).path("tags").path("aether:project").asText())
        .isEqualTo(PROJECT);
  }

  @Test
  void theStorageAccountTakesNoSharedKeysAndATakenNameIsSaid() {
    ProjectResources resources = new ProjectResources(arm, names, 7070);
    resources.ensureStorage();
    resources.ensureStorage();
    JsonNode props = fake.accounts.get(names.account()).path("properties");
    assertThat(props.path("allowSharedKeyAccess").asBoolean(true)).isFalse();
    assertThat(props.path("minimumTlsVersion").asText()).isEqualTo("TLS1_2");
    assertThat(fake.calls("PUT", "/storageAccounts/")).filteredOn(c -> c.path()
        .endsWith(names.account())).hasSize(1);

    AzureNames other = new AzureNames(FakeArm.SUBSCRIPTION, "westus2", PROJECT);
    fake.takenAccounts.add(other.account());
    assertThatThrownBy(() -> new ProjectResources(arm, other, 7070).ensureStorage())
        .isInstanceOf(AetherException.class).hasMessageContaining(other.account())
        .hasMessageContaining("is taken");
  }

  @Test
  void refusedPermissionsSayWhichRolesToGrant() {
    fake.failures.add(new FakeArm.Failure(1, 403, "AuthorizationFailed", "The client does not"
        + " have authorization to perform action 'Microsoft.Compute/virtualMachines/write'.",
        false));
    assertThatThrownBy(() -> machines.start(List.of(payg("Standard_D2as_v5")), BOOTSTRAP))
        .hasMessageContaining("Azure refused the login's permissions")
        .hasMessageContaining("Microsoft.Compute/virtualMachines/write")
        .hasMessageContaining("docs/azure.md");
  }

  /** The project bucket in memory: these tests are about VMs. */
  static final class MemoryStorage implements Storage {
    final Map<String, byte[]> blobs = new TreeMap<>();

    @Override
    public String location() {
      return "memory://bucket";
    }

    @Override
    public synchronized void put(String key, Path source) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized void put(String key, byte[] content) {
      blobs.put(key, content.clone());
    }

    @Override
    public synchronized void delete(String key) {
      blobs.remove(key);
    }

    @Override
    public synchronized Optional<byte[]> read(String key) {
      return Optional.ofNullable(blobs.get(key));
    }

    @Override
    public boolean get(String key, Path target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized List<String> list(String prefix) {
      return blobs.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }
  }
}
