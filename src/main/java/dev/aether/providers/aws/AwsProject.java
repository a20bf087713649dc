package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
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
import java.util.Optional;

/** One project on AWS: its S3 bucket, its EC2 nodes, and stopping or pricing them as a whole. */
final class AwsProject implements ProviderProject {
  /** The coordinator node: the cheapest x86 standard on-demand type with this much. */
  static final int COORDINATOR_VCPUS = 2;
  static final double COORDINATOR_GIB = 4;

  private final AwsClients clients;
  private final String name;
  private final AwsProvider.Settings settings;
  private S3Storage bucket;
  private Ec2Machines machines;

  AwsProject(AwsClients clients, String name, AwsProvider.Settings settings) {
    this.clients = clients;
    this.name = name;
    this.settings = settings;
  }

  @Override
  public synchronized Storage storage() {
    if (bucket == null) {
      bucket = S3Storage.existing(clients, name);
    }
    return bucket;
  }

  @Override
  public synchronized Storage prepareBucket() {
    if (bucket != null) {
      bucket.close();
    }
    bucket = S3Storage.open(clients, name);
    machines = null;
    return bucket;
  }

  @Override
  public synchronized Machines machines() {
    return ec2();
  }

  private synchronized Ec2Machines ec2() {
    if (machines == null) {
      machines = new Ec2Machines(clients, (S3Storage) storage(), new Ec2Machines.Settings(name,
          settings.instanceProfile(), settings.coordinatorPort()));
    }
    return machines;
  }

  @Override
  public Optional<CoordinatorNodes> coordinatorNodes() {
    return Optional.of(new CoordinatorNodes() {
      @Override
      public Node start(Catalog catalog) {
        return ec2().startCoordinator(coordinatorType(catalog));
      }

      @Override
      public List<Node> running() {
        return ec2().coordinators();
      }

      @Override
      public int port() {
        return settings.coordinatorPort();
      }
    });
  }

  @Override
  public DownReport down(Duration wait) {
    List<String> lines = new ArrayList<>();
    Ec2ProjectAdmin ec2 = ec2().admin();
    List<String> ids = ec2.terminateAll();
    lines.add(ids.isEmpty() ? "No instance of project " + name + " was running in "
        + clients.region() + "." : "Terminating " + ids.size() + " instance(s) of project " + name
        + ": " + String.join(", ", ids));
    storage().delete(BucketLayout.TOKEN);
    lines.add("Deleted the pipeline token (" + storage().location() + "/" + BucketLayout.TOKEN
        + "), if there was one.");
    if (!ec2.awaitAllTerminated(wait, Duration.ofSeconds(5))) {
      lines.add("The instances are still shutting down; run `aether down --name " + name
          + "` again in a minute to delete the security group.");
      return new DownReport(lines, false);
    }
    lines.add(ec2.deleteSecurityGroup() ? "Deleted the security group aether-" + name + "."
        : "No security group of project " + name + " to delete.");
    lines.add("Kept the bucket " + storage().location() + " and its results (delete it with"
        + " `aws s3 rb " + storage().location() + " --force`).");
    return new DownReport(lines, true);
  }

  @Override
  public Optional<String> costSoFar() {
    Instant now = Instant.now();
    RunCost.Estimate e = RunCost.estimate(ec2().admin().usage(now),
        EmbeddedCatalog.load().inRegion(clients.region()), now);
    return Optional.of("Cost so far: $" + e.dollars().toPlainString() + " for " + e.instances()
        + " instance(s) at the catalog's prices, billed per second"
        + (e.unpriced() > 0 ? " (" + e.unpriced() + " instance(s) without a known price left out)"
            : "")
        + "; EC2 keeps terminated instances listed for about an hour.");
  }

  /**
   * The coordinator node's type: the cheapest on-demand x86 standard-class type with at least
   * {@value #COORDINATOR_VCPUS} vCPUs and {@value #COORDINATOR_GIB} GiB.
   */
  static ProvisionedInstance coordinatorType(Catalog catalog) {
    return catalog.offers().stream()
        .filter(o -> o.market() == Market.ON_DEMAND)
        .filter(o -> o.type().arch().equals("x86_64") && o.type().quotaClass().equals("standard"))
        .filter(o -> o.type().vcpus() >= COORDINATOR_VCPUS
            && o.type().memoryGib() >= COORDINATOR_GIB)
        .min(Comparator.comparing(Offer::price).thenComparing(Offer::key))
        .map(o -> new ProvisionedInstance(o.type().name(), o.type().vcpus(), o.type().memoryGib(),
            o.type().hasStorage(), false, Optional.empty(), Optional.empty(), Optional.of("aws")))
        .orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE, "the "
            + catalog.source() + " has no on-demand x86 type with " + COORDINATOR_VCPUS
            + " vCPUs and " + COORDINATOR_GIB + " GiB for the coordinator node"));
  }

  @Override
  public synchronized void close() {
    if (machines != null) {
      machines.close();
    }
    if (bucket != null) {
      bucket.close();
    }
  }
}
