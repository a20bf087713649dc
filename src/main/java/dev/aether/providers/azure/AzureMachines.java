package dev.aether.providers.azure;

import com.azure.core.management.SubResource;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.BillingProfile;
import com.azure.resourcemanager.compute.models.BootDiagnostics;
import com.azure.resourcemanager.compute.models.DeleteOptions;
import com.azure.resourcemanager.compute.models.DiagnosticsProfile;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskDeleteOptionTypes;
import com.azure.resourcemanager.compute.models.ExpandTypeForListVMs;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.InstanceViewTypes;
import com.azure.resourcemanager.compute.models.LinuxConfiguration;
import com.azure.resourcemanager.compute.models.ManagedDiskParameters;
import com.azure.resourcemanager.compute.models.NetworkApiVersion;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.ResourceIdentityType;
import com.azure.resourcemanager.compute.models.SshConfiguration;
import com.azure.resourcemanager.compute.models.SshPublicKey;
import com.azure.resourcemanager.compute.models.StorageAccountTypes;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineEvictionPolicyTypes;
import com.azure.resourcemanager.compute.models.VirtualMachineIdentity;
import com.azure.resourcemanager.compute.models.VirtualMachineIdentityUserAssignedIdentities;
import com.azure.resourcemanager.compute.models.VirtualMachineNetworkInterfaceConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachineNetworkInterfaceIpConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachinePriorityTypes;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.RunCost;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.Storage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's Azure VMs: one PUT per VM (Spot with eviction policy Delete and max price = the
 * bid, or pay-as-you-go), in the project's resource group and subnet, with the project's
 * managed identity, tagged {@code aether:project}, {@code aether:role} and
 * {@code aether:instance}; listed from the group, deleted to stop. Each VM's NIC and OS disk are
 * made with it and deleted with it ({@code deleteOption: Delete}), so deleting a VM leaves
 * nothing that bills. See https://learn.microsoft.com/rest/api/compute/virtual-machines/create-or-update
 * and https://learn.microsoft.com/azure/virtual-machines/spot-vms
 */
final class AzureMachines implements Machines {
  private static final Logger log = LoggerFactory.getLogger(AzureMachines.class);
  /** How long one VM may take to be made (Azure takes one to three minutes). */
  static final Duration CREATE_LIMIT = Duration.ofMinutes(10);
  static final String ADMIN = "aether";
  static final int OS_DISK_GB = 30;

  private final Arm arm;
  private final AzureNames names;
  private final Storage bucket;
  private final int port;
  private final Supplier<String> clientId;
  /**
   * Every VM this object asked for, as last seen: a Spot VM evicted with policy Delete is gone
   * from Azure at once, but its pool must still be known when its replacement is bought.
   */
  private final Map<String, Node> asked = new ConcurrentHashMap<>();

  /**
   * @param clientId the project identity's client id (made by the launcher; read on a node)
   */
  AzureMachines(Arm arm, AzureNames names, Storage bucket, int port,
      Supplier<String> clientId) {
    this.arm = arm;
    this.names = names;
    this.bucket = bucket;
    this.port = port;
    this.clientId = clientId;
  }

  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    if (instances.isEmpty()) {
      return List.of();
    }
    // the token goes to a blob only the project's identity can read, never into custom data
    bucket.put(BucketLayout.TOKEN, bootstrap.token().getBytes(StandardCharsets.UTF_8));
    return launch(instances, CloudInit.agent(names, clientId.get(), bootstrap.coordinator()),
        AzureNames.WORKER);
  }

  /**
   * Starts the coordinator VM, which runs {@code aether coordinate}: it starts the workers of the
   * bucket's prov.psv, runs the batch, and deletes them and then itself.
   */
  Node startCoordinator(ProvisionedInstance instance) {
    return launch(List.of(instance), CloudInit.coordinator(names, clientId.get(), port),
        AzureNames.COORDINATOR).get(0);
  }

  /**
   * Asks for every VM first, then waits for all: they are made side by side. If any fails, every
   * VM of this call is deleted (the failed ones too: a VM whose creation failed may still hold a
   * NIC and a disk) before the first error is thrown.
   */
  private List<Node> launch(List<ProvisionedInstance> instances, String script, String role) {
    String customData = CloudInit.encode(script);
    Map<String, SyncPoller<PollResult<VirtualMachineInner>, VirtualMachineInner>> pollers =
        new LinkedHashMap<>();
    Map<String, ProvisionedInstance> wanted = new LinkedHashMap<>();
    RuntimeException failure = null;
    String failed = "";
    for (ProvisionedInstance i : instances) {
      String vm = AzureNames.newVm(role);
      wanted.put(vm, i);
      asked.put(vm, new Node(vm, i, Optional.empty(), NodeState.PENDING));
      try {
        pollers.put(vm, arm.compute().getVirtualMachines().beginCreateOrUpdate(names.group(), vm,
            vm(vm, i, customData, role)));
      } catch (RuntimeException e) {
        failure = e;
        failed = describe(i);
        break;
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (Map.Entry<String, SyncPoller<PollResult<VirtualMachineInner>, VirtualMachineInner>> p
        : pollers.entrySet()) {
      if (failure != null) {
        break;
      }
      try {
        VirtualMachineInner made = Arm.finish(p.getValue(), CREATE_LIMIT);
        Node n = toNode(made).orElse(asked.get(p.getKey()));
        asked.put(n.id(), n);
        nodes.add(n);
      } catch (RuntimeException e) {
        failure = e;
        failed = describe(wanted.get(p.getKey()));
      }
    }
    if (failure == null) {
      return List.copyOf(nodes);
    }
    // the one refused at once was never made; delete it anyway, Azure says 204 then
    deleteAndWait(List.copyOf(wanted.keySet()));
    List<String> made = List.copyOf(pollers.keySet());
    throw ArmErrors.translate("starting " + failed + " in " + names.region() + " for project "
        + names.project() + (made.isEmpty() ? "" : " (deleted the " + made.size()
            + " VM(s) this start had made: " + String.join(", ", made) + ")"), failure);
  }

  private VirtualMachineInner vm(String name, ProvisionedInstance i, String customData,
      String role) {
    VirtualMachineInner vm = new VirtualMachineInner()
        .withIdentity(new VirtualMachineIdentity()
            .withType(ResourceIdentityType.USER_ASSIGNED)
            .withUserAssignedIdentities(Map.of(names.identityId(),
                new VirtualMachineIdentityUserAssignedIdentities())))
        .withHardwareProfile(new HardwareProfile()
            .withVmSize(VirtualMachineSizeTypes.fromString(i.type())))
        .withStorageProfile(new StorageProfile()
            .withImageReference(image(i.type()))
            .withOsDisk(new OSDisk()
                .withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)
                .withDiskSizeGB(OS_DISK_GB)
                .withManagedDisk(new ManagedDiskParameters()
                    .withStorageAccountType(StorageAccountTypes.STANDARD_SSD_LRS))
                .withDeleteOption(DiskDeleteOptionTypes.DELETE)))
        .withOsProfile(new OSProfile()
            .withComputerName(name)
            .withAdminUsername(ADMIN)
            .withCustomData(customData)
            .withLinuxConfiguration(new LinuxConfiguration()
                .withDisablePasswordAuthentication(true)
                .withSsh(new SshConfiguration().withPublicKeys(List.of(new SshPublicKey()
                    .withPath("/home/" + ADMIN + "/.ssh/authorized_keys")
                    .withKeyData(SshKeys.unusable()))))))
        .withNetworkProfile(new NetworkProfile()
            .withNetworkApiVersion(NetworkApiVersion.TWO_ZERO_TWO_ZERO_ONE_ONE_ZERO_ONE)
            .withNetworkInterfaceConfigurations(List.of(
                new VirtualMachineNetworkInterfaceConfiguration()
                    .withName(name + "-nic")
                    .withPrimary(true)
                    .withDeleteOption(DeleteOptions.DELETE)
                    .withIpConfigurations(List.of(new VirtualMachineNetworkInterfaceIpConfiguration()
                        .withName("ipconfig")
                        .withPrimary(true)
                        .withSubnet(new SubResource().withId(names.subnetId())))))))
        // the serial console log, in Azure's managed storage: where to look when a node fails
        .withDiagnosticsProfile(new DiagnosticsProfile()
            .withBootDiagnostics(new BootDiagnostics().withEnabled(true)));
    if (i.biddable()) {
      // Evicted = deleted (and not billed); never pay more than the bid. See
      // https://learn.microsoft.com/azure/virtual-machines/spot-vms#eviction-policy
      vm.withPriority(VirtualMachinePriorityTypes.SPOT)
          .withEvictionPolicy(VirtualMachineEvictionPolicyTypes.DELETE)
          .withBillingProfile(new BillingProfile().withMaxPrice(
              i.bid().map(BigDecimal::doubleValue).orElse(-1.0))); // -1: up to pay-as-you-go
    } else {
      vm.withPriority(VirtualMachinePriorityTypes.REGULAR);
    }
    vm.withLocation(names.region()).withTags(Map.of(
        AzureNames.PROJECT_TAG, names.project(),
        AzureNames.ROLE_TAG, role,
        AzureNames.INSTANCE_TAG, ProvisioningFile.formatLine(i)));
    return vm;
  }

  /** Ubuntu 24.04 LTS (Hyper-V generation 2), for the size's CPU architecture. */
  static ImageReference image(String size) {
    String arch = Optional.ofNullable(AzureCatalogs.sizes().get(size)).map(InstanceType::arch)
        .orElse("x86_64");
    return new ImageReference().withPublisher("Canonical").withOffer("ubuntu-24_04-lts")
        .withSku(arch.equals("arm64") ? "server-arm64" : "server").withVersion("latest");
  }

  /** The project's workers that are pending or running (not its coordinator VM). */
  @Override
  public List<Node> list() {
    return alive(AzureNames.WORKER);
  }

  /** The project's coordinator VM(s) that are pending or running. */
  List<Node> coordinators() {
    return alive(AzureNames.COORDINATOR);
  }

  private List<Node> alive(String role) {
    return vms().stream()
        .filter(v -> role.equals(tag(v, AzureNames.ROLE_TAG)))
        .flatMap(v -> toNode(v).stream())
        .filter(n -> n.state().alive())
        .toList();
  }

  /** Every VM of the project's group with its instance view; none when the group is not there. */
  List<VirtualMachineInner> vms() {
    try {
      List<VirtualMachineInner> all = new ArrayList<>();
      arm.compute().getVirtualMachines().listByResourceGroup(names.group(), null,
          ExpandTypeForListVMs.INSTANCE_VIEW, Context.NONE).forEach(all::add);
      return all;
    } catch (RuntimeException e) {
      if (ArmErrors.notFound(e)) {
        return List.of(); // no resource group yet (or any more): no VM
      }
      throw ArmErrors.translate("listing the VMs of project " + names.project(), e);
    }
  }

  /**
   * The worker with this name in whatever state Azure shows it; a VM this object started that
   * Azure no longer knows (an evicted Spot VM is deleted at once) is returned GONE.
   */
  @Override
  public Optional<Node> find(String id) {
    try {
      VirtualMachineInner v = arm.compute().getVirtualMachines().getByResourceGroupWithResponse(
          names.group(), id, InstanceViewTypes.INSTANCE_VIEW, Context.NONE).getValue();
      return toNode(v).filter(n -> AzureNames.WORKER.equals(tag(v, AzureNames.ROLE_TAG)));
    } catch (RuntimeException e) {
      if (ArmErrors.notFound(e)) {
        return Optional.ofNullable(asked.get(id)).map(n -> n.in(NodeState.GONE));
      }
      throw ArmErrors.translate("looking up node " + id + " of project " + names.project(), e);
    }
  }

  /**
   * Deletes the VM (with its NIC and disk) without waiting for Azure to finish; deleting a VM
   * that is gone does nothing.
   */
  @Override
  public void stop(Node node) {
    try {
      arm.compute().getVirtualMachines().beginDelete(names.group(), node.id(), true, Context.NONE);
      asked.computeIfPresent(node.id(), (k, n) -> n.in(NodeState.STOPPING));
    } catch (RuntimeException e) {
      if (!ArmErrors.notFound(e)) {
        throw ArmErrors.translate("deleting node " + node.id(), e);
      }
    }
  }

  /** Deletes these VMs (with their NICs and disks), whatever their state, without waiting. */
  void deleteAll(List<String> vms) {
    for (String vm : vms) {
      try {
        arm.compute().getVirtualMachines().beginDelete(names.group(), vm, true, Context.NONE);
        asked.computeIfPresent(vm, (k, n) -> n.in(NodeState.STOPPING));
      } catch (RuntimeException e) {
        if (!ArmErrors.notFound(e)) {
          throw ArmErrors.translate("deleting VM " + vm, e);
        }
      }
    }
  }

  /** Deletes these VMs and waits for each. */
  private void deleteAndWait(List<String> vms) {
    List<SyncPoller<PollResult<Void>, Void>> deletions = new ArrayList<>();
    for (String vm : vms) {
      try {
        deletions.add(arm.compute().getVirtualMachines().beginDelete(names.group(), vm, true,
            Context.NONE));
      } catch (RuntimeException e) {
        if (!ArmErrors.notFound(e)) {
          log.warn("could not delete VM {} of a failed start: {}", vm, e.getMessage());
        }
      }
      asked.computeIfPresent(vm, (k, n) -> n.in(NodeState.GONE));
    }
    for (SyncPoller<PollResult<Void>, Void> d : deletions) {
      try {
        Arm.finish(d, CREATE_LIMIT);
      } catch (RuntimeException e) {
        if (!ArmErrors.notFound(e)) {
          log.warn("a VM of a failed start is not deleted yet: {}", e.getMessage());
        }
      }
    }
  }

  /** What each of the project's VMs has cost so far (VMs Azure has deleted are not listed). */
  List<RunCost.Usage> usage() {
    List<RunCost.Usage> usages = new ArrayList<>();
    for (VirtualMachineInner v : vms()) {
      Optional<ProvisionedInstance> i =
          ProvisioningFile.parseTag(tag(v, AzureNames.INSTANCE_TAG), AzureProvider.NAME);
      if (i.isEmpty() || v.timeCreated() == null) {
        continue;
      }
      usages.add(new RunCost.Usage(i.get().type(),
          i.get().biddable() ? Market.SPOT : Market.ON_DEMAND, Optional.empty(),
          v.timeCreated().toInstant(), Optional.empty(), i.get().bid()));
    }
    return usages;
  }

  private static Optional<Node> toNode(VirtualMachineInner v) {
    if (v == null || v.name() == null) {
      return Optional.empty();
    }
    List<String> codes = v.instanceView() == null || v.instanceView().statuses() == null
        ? List.of() : v.instanceView().statuses().stream().map(InstanceViewStatus::code)
            .filter(c -> c != null).toList();
    NodeState state = VmStates.of(Optional.ofNullable(v.provisioningState()), codes);
    return ProvisioningFile.parseTag(tag(v, AzureNames.INSTANCE_TAG), AzureProvider.NAME)
        .map(i -> new Node(v.name(), i, Optional.empty(), state));
  }

  private static String tag(VirtualMachineInner v, String key) {
    return v.tags() == null ? null : v.tags().get(key);
  }

  static String describe(ProvisionedInstance i) {
    return i.type() + (i.biddable()
        ? " (Spot, max price $" + i.bid().map(BigDecimal::toPlainString).orElse("pay-as-you-go")
            + "/h)"
        : " (pay-as-you-go)");
  }
}
