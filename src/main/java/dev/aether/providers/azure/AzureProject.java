package dev.aether.providers.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.RunCost;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * One project on Azure: its container, its VMs, and stopping or pricing them as a whole. What the
 * project makes is in {@link AzureNames}; {@link #down} deletes the project's resource group (VMs,
 * disks, network, identity) and keeps the container with the results, which lives in the
 * separate, shared {@code aether-data} group for exactly that reason.
 */
final class AzureProject implements ProviderProject {
  /** The coordinator VM: the cheapest current x86 pay-as-you-go size with this much. */
  static final int COORDINATOR_VCPUS = 2;
  static final double COORDINATOR_GIB = 4;
  /** The RG delete is asked to force-delete VMs: quicker than a shutdown each. */
  static final String FORCE_DELETE = "Microsoft.Compute/virtualMachines";

  private final Arm arm;
  private final AzureNames names;
  private final AzureEndpoints endpoints;
  private final TokenCredential credential;
  private final Optional<HttpClient> http;
  private final int port;
  private BlobStorage bucket;
  private AzureMachines machines;
  private volatile String clientId;

  AzureProject(Arm arm, AzureNames names, AzureEndpoints endpoints, TokenCredential credential,
      Optional<HttpClient> http, int port) {
    this.arm = arm;
    this.names = names;
    this.endpoints = endpoints;
    this.credential = credential;
    this.http = http;
    this.port = port;
  }

  @Override
  public synchronized Storage storage() {
    if (bucket == null) {
      bucket = BlobStorage.existing(service(), names.container());
    }
    return bucket;
  }

  @Override
  public synchronized Storage prepareBucket() {
    new ProjectResources(arm, names, port).ensureStorage();
    bucket = BlobStorage.open(service(), names.project());
    machines = null;
    return bucket;
  }

  private com.azure.storage.blob.BlobServiceClient service() {
    return BlobStorage.service(endpoints.blob(names.account()), credential, http);
  }

  @Override
  public Machines machines() {
    return vms();
  }

  private synchronized AzureMachines vms() {
    if (machines == null) {
      machines = new AzureMachines(arm, names, storage(), port, this::clientId);
    }
    return machines;
  }

  /** The project identity's client id: as made by this launcher, else read from Azure. */
  private String clientId() {
    if (clientId == null) {
      try {
        clientId = arm.msi().getUserAssignedIdentities().getByResourceGroup(names.group(),
            AzureNames.IDENTITY).clientId().toString();
      } catch (RuntimeException e) {
        throw ArmErrors.translate("reading the nodes' identity " + AzureNames.IDENTITY + " of"
            + " project " + names.project(), e);
      }
    }
    return clientId;
  }

  @Override
  public Optional<CoordinatorNodes> coordinatorNodes() {
    return Optional.of(new CoordinatorNodes() {
      @Override
      public Node start(Catalog catalog) {
        clientId = new ProjectResources(arm, names, port).ensureProject();
        return vms().startCoordinator(coordinatorSize(catalog));
      }

      @Override
      public List<Node> running() {
        return vms().coordinators();
      }

      @Override
      public int port() {
        return port;
      }
    });
  }

  /**
   * The coordinator VM's size: the cheapest pay-as-you-go x86 size of the catalog with at least
   * {@value #COORDINATOR_VCPUS} vCPUs and {@value #COORDINATOR_GIB} GiB that is neither
   * accelerated nor previous generation (burstable is fine: a coordinator is mostly idle).
   */
  static ProvisionedInstance coordinatorSize(Catalog catalog) {
    Map<String, AzureCatalogs.Facts> facts = AzureCatalogs.facts();
    return catalog.offers().stream()
        .filter(o -> o.market() == Market.ON_DEMAND && o.type().arch().equals("x86_64"))
        .filter(o -> o.type().vcpus() >= COORDINATOR_VCPUS
            && o.type().memoryGib() >= COORDINATOR_GIB)
        .filter(o -> Optional.ofNullable(facts.get(o.type().name()))
            .map(f -> !f.accelerated() && !f.previousGeneration()).orElse(false))
        .min(Comparator.comparing(Offer::price).thenComparing(Offer::key))
        .map(o -> new ProvisionedInstance(o.type().name(), o.type().vcpus(), o.type().memoryGib(),
            o.type().hasStorage(), false, Optional.empty(), Optional.empty(),
            Optional.of(AzureProvider.NAME)))
        .orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE, "the "
            + catalog.source() + " has no current x86 size with " + COORDINATOR_VCPUS
            + " vCPUs and " + COORDINATOR_GIB + " GiB for the coordinator VM"));
  }

  /**
   * After a batch: the project's VMs (with their NICs and disks, the only parts that bill) are
   * deleted and the token removed; the group, its identity, network and role assignments stay
   * for the next run, and {@code aether down} deletes them.
   */
  @Override
  public DownReport afterBatch(Duration wait) {
    List<String> lines = new ArrayList<>();
    List<String> vms = vms().vms().stream().map(VirtualMachineInner::name).toList();
    vms().deleteAll(vms);
    if (!vms.isEmpty()) {
      lines.add("Deleting the " + vms.size() + " VM(s) of project " + names.project() + " left: "
          + String.join(", ", vms));
    }
    storage().delete(BucketLayout.TOKEN);
    return new DownReport(lines, true);
  }

  @Override
  public DownReport down(Duration wait) {
    List<String> lines = new ArrayList<>();
    List<String> vms = vms().vms().stream().map(VirtualMachineInner::name).toList();
    lines.add(vms.isEmpty() ? "No VM of project " + names.project() + " in " + names.region()
        + "." : "Deleting the " + vms.size() + " VM(s) of project " + names.project() + ": "
            + String.join(", ", vms));
    storage().delete(BucketLayout.TOKEN);
    lines.add("Deleted the pipeline token (" + storage().location() + "/" + BucketLayout.TOKEN
        + "), if there was one.");
    new ProjectResources(arm, names, port).deleteContainerAssignment();
    boolean complete = deleteGroup(wait, lines);
    lines.add("Kept the container " + storage().location() + " and its results (delete it with"
        + " `az storage container delete --account-name " + names.account() + " --name "
        + names.container() + " --auth-mode login`).");
    return new DownReport(lines, complete);
  }

  private boolean deleteGroup(Duration wait, List<String> lines) {
    String group = names.group();
    try {
      if (!arm.resources().getResourceGroups().checkExistence(group)) {
        lines.add("No resource group " + group + " to delete.");
        return true;
      }
      SyncPoller<PollResult<Void>, Void> deletion = arm.resources().getResourceGroups()
          .beginDelete(group, FORCE_DELETE, Context.NONE);
      if (!wait.isZero() && !wait.isNegative()) {
        try {
          Arm.finish(deletion, wait);
          lines.add("Deleted the resource group " + group
              + " (its VMs, disks, network and identity).");
          return true;
        } catch (RuntimeException e) {
          if (!(e.getCause() instanceof TimeoutException)) {
            throw e;
          }
        }
      }
      lines.add("Azure is still deleting the resource group " + group + "; run `aether down"
          + " --name " + names.project() + " --provider azure` again in a few minutes to see it"
          + " gone.");
      return false;
    } catch (RuntimeException e) {
      throw ArmErrors.translate("deleting the resource group " + group, e);
    }
  }

  @Override
  public Optional<String> costSoFar() {
    Instant now = Instant.now();
    RunCost.Estimate e = RunCost.estimate(vms().usage(),
        AzureCatalogs.embedded().inRegion(names.region()), now);
    return Optional.of("Cost so far: $" + e.dollars().toPlainString() + " for " + e.instances()
        + " VM(s) still in Azure, at the embedded prices, billed per second"
        + (e.unpriced() > 0 ? " (" + e.unpriced() + " VM(s) without a known price left out)" : "")
        + "; VMs already deleted are not counted (the portal's Cost Management has the bill).");
  }

  @Override
  public void close() {
    // the SDK's clients hold no resources of their own to release
  }
}
