package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.RunCost;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.StartReport;
import dev.aether.core.spi.Unavailable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The project's EC2 nodes: started one RunInstances call per instance (spot with a one-time
 * request capped at the bid, or on-demand) in the default subnet of the instance's zone, tagged
 * {@code aether:project=<name>} in the same call, listed by that tag and terminated to stop.
 *
 * <p>A refusal that belongs to the pool (no capacity, price above the bid, quota used up, no
 * subnet in the zone) does not stop the others: {@link #startEach} reports it, and the caller
 * plans the slots elsewhere. Any other error stops the whole call.
 */
public final class Ec2Machines implements Machines, AutoCloseable {
  /** Where nodes fetch the aether jar from, in the project bucket. */
  public static final String AGENT_JAR_KEY = UserData.AGENT_JAR_KEY;
  /** Where the pipeline token is while a batch runs (readable by the nodes' role). */
  public static final String TOKEN_KEY = UserData.TOKEN_KEY;

  /** Zone ids look like {@code use1-az1}; zone names like {@code us-east-1a}. */
  private static final Pattern ZONE_ID = Pattern.compile("^[a-z]{2,5}\\d+-az\\d+$");

  /**
   * @param project the project name (-N): tags, security group name
   * @param workerProfile the IAM instance profile workers run with (policy in docs/aws.md)
   * @param coordinatorProfile the instance profile of the coordinator node
   * @param coordinatorPort the port nodes reach the coordinator on, opened to the VPC only
   */
  public record Settings(String project, String workerProfile, String coordinatorProfile,
      int coordinatorPort) {
    public Settings {
      if (project == null || project.isBlank()) {
        throw AetherException.invalidInput("project name (-N) is empty");
      }
      if (workerProfile == null || workerProfile.isBlank()
          || coordinatorProfile == null || coordinatorProfile.isBlank()) {
        throw AetherException.invalidInput(
            "no IAM instance profile for the nodes; create them as in docs/aws.md and pass"
                + " their names");
      }
      if (coordinatorPort < 1 || coordinatorPort > 65535) {
        throw AetherException.invalidInput("coordinator port must be 1-65535, got " + coordinatorPort);
      }
    }

    /** One profile for coordinator and workers (tests, and the coordinator node's own view). */
    public Settings(String project, String profile, int coordinatorPort) {
      this(project, profile, profile, coordinatorPort);
    }
  }

  private final Ec2Client ec2;
  private final SsmClient ssm;
  private final S3Storage bucket;
  private final Settings settings;
  private final String region;
  /** Architecture by instance type, and the AMI by architecture, as read once. */
  private final Map<String, Optional<String>> archByType = new HashMap<>();
  private final Map<String, String> imageByArch = new HashMap<>();
  private DefaultNetwork network;

  public Ec2Machines(AwsClients clients, S3Storage bucket, Settings settings) {
    this.region = clients.region();
    this.ec2 = clients.ec2();
    this.ssm = clients.ssm();
    this.bucket = bucket;
    this.settings = settings;
  }

  /** All or nothing: a pool without room fails the call (and ends what it started). */
  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    StartReport report = startEach(instances, bootstrap);
    if (!report.unavailable().isEmpty()) {
      terminateQuietly(report.started());
      Unavailable first = report.unavailable().get(0);
      throw new AetherException(AetherException.ERROR, "Failed starting "
          + describe(first.instance()) + ": " + first.message()
          + (report.started().isEmpty() ? "" : " (terminated the " + report.started().size()
              + " node(s) already started)"));
    }
    return report.started();
  }

  @Override
  public StartReport startEach(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    if (instances.isEmpty()) {
      return new StartReport(List.of(), List.of());
    }
    // the token goes to a bucket object only the nodes' role can read, never into user-data
    bucket.put(UserData.TOKEN_KEY, bootstrap.token().getBytes(StandardCharsets.UTF_8));
    String userData = UserData.agent(bucket.bucket(), region, bootstrap.coordinator(),
        settings.project());
    return launch(instances, userData, Tags.WORKER, settings.workerProfile());
  }

  /**
   * Starts the project's coordinator node, which runs {@code aether coordinate}: it starts the
   * workers of the bucket's prov.psv, runs the batch and terminates them and then itself. The
   * candidates are tried in order until one has room.
   */
  public Node startCoordinator(List<ProvisionedInstance> candidates) {
    String script = UserData.coordinator(bucket.bucket(), region, settings.workerProfile(),
        settings.coordinatorPort());
    List<String> refusals = new ArrayList<>();
    for (ProvisionedInstance candidate : candidates) {
      StartReport r = launch(List.of(candidate), script, Tags.COORDINATOR,
          settings.coordinatorProfile());
      if (!r.started().isEmpty()) {
        return r.started().get(0);
      }
      r.unavailable().forEach(u -> refusals.add(describe(u.instance()) + ": " + u.message()));
    }
    throw new AetherException(AetherException.ERROR, "Failed starting the coordinator node: "
        + String.join("; ", refusals) + ". Run again in a few minutes, or in another region (-R).");
  }

  private StartReport launch(List<ProvisionedInstance> instances, String script, String role,
      String profile) {
    String userData = UserData.encode(script);
    List<Node> started = new ArrayList<>();
    List<Unavailable> unavailable = new ArrayList<>();
    String doing = "preparing to start nodes for project " + settings.project();
    try {
      DefaultNetwork vpc = network();
      String group = new SecurityGroups(ec2).ensure(settings.project(), settings.coordinatorPort(),
          vpc);
      for (ProvisionedInstance i : instances) {
        doing = "starting " + describe(i);
        Optional<String> image = image(i.type());
        if (image.isEmpty()) {
          unavailable.add(new Unavailable(i, Unavailable.Reason.ZONE, "instance type " + i.type()
              + " is not offered in " + region));
          continue;
        }
        Optional<DefaultNetwork.Subnet> subnet = Optional.empty();
        if (i.zone().filter(z -> !z.isBlank()).isPresent()) {
          subnet = vpc.inZone(i.zone().get());
          if (subnet.isEmpty()) {
            unavailable.add(new Unavailable(i, Unavailable.Reason.ZONE, "the default VPC has no"
                + " subnet in " + i.zone().get() + " (make one with `"
                + DefaultNetwork.createSubnet(i.zone().get()) + "`)"));
            continue;
          }
        }
        try {
          Instance instance = ec2.runInstances(request(i, image.get(), group, subnet, userData,
              role, profile)).instances().get(0);
          started.add(new Node(instance.instanceId(), i,
              Optional.ofNullable(instance.privateIpAddress()), NodeState.PENDING));
        } catch (SdkException e) {
          Optional<Unavailable.Reason> reason = AwsErrors.unavailable(e);
          if (reason.isEmpty()) {
            throw e;
          }
          unavailable.add(new Unavailable(i, reason.get(), AwsErrors.said(e)));
        }
      }
      return new StartReport(started, unavailable);
    } catch (RuntimeException e) {
      terminateQuietly(started);
      String what = doing + (started.isEmpty() ? ""
          : " (terminated the " + started.size() + " node(s) already started)");
      if (e instanceof SdkException sdk) {
        throw AwsErrors.translate(what, sdk);
      }
      throw e;
    }
  }

  private synchronized DefaultNetwork network() {
    if (network == null) {
      network = DefaultNetwork.read(ec2);
    }
    return network;
  }

  /**
   * The Amazon Linux 2023 image for the type's architecture; empty when EC2 does not offer the
   * type in this region.
   */
  private synchronized Optional<String> image(String type) {
    if (!UnbootableTypes.bootable(type)) {
      throw AetherException.invalidInput("instance type " + type + " cannot boot the Amazon Linux"
          + " 2023 image Aether's nodes run (" + UnbootableTypes.WHY + "); plan without it.");
    }
    Optional<String> arch = archByType.computeIfAbsent(type, this::architecture);
    return arch.map(a -> imageByArch.computeIfAbsent(a, new AmiLookup(ssm)::imageFor));
  }

  private Optional<String> architecture(String type) {
    try {
      List<InstanceTypeInfo> infos = ec2.describeInstanceTypes(b -> b.instanceTypesWithStrings(type))
          .instanceTypes();
      return infos.stream().findFirst().flatMap(InstanceTypesReader::toInstanceType)
          .map(t -> t.arch());
    } catch (SdkException e) {
      if ("InvalidInstanceType".equals(AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private RunInstancesRequest request(ProvisionedInstance i, String image, String group,
      Optional<DefaultNetwork.Subnet> subnet, String userData, String role, String profile) {
    RunInstancesRequest.Builder b = RunInstancesRequest.builder()
        .imageId(image)
        .instanceType(i.type())
        .minCount(1)
        .maxCount(1)
        .securityGroupIds(group)
        .iamInstanceProfile(p -> p.name(profile))
        .userData(userData)
        // IMDSv2 only, one hop: containers on the node cannot reach the role's credentials
        .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED).httpPutResponseHopLimit(1))
        // nodes stop themselves at the end of the batch: make that a termination, not a stopped
        // (still billed for disk) instance
        .instanceInitiatedShutdownBehavior("terminate");
    List<TagSpecification> tags = new ArrayList<>(List.of(
        Tags.spec(ResourceType.INSTANCE, settings.project(),
            Tag.builder().key(Tags.INSTANCE).value(ProvisioningFile.formatLine(i)).build(),
            Tag.builder().key(Tags.ROLE).value(role).build()),
        Tags.spec(ResourceType.VOLUME, settings.project())));
    // the subnet names the zone; without one (no zone planned) EC2 picks a default subnet
    subnet.ifPresent(s -> b.subnetId(s.id()));
    if (i.biddable()) {
      // one-time request capped at our bid; terminated (not stopped) on interruption. See
      // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/how-spot-instances-work.html
      b.instanceMarketOptions(InstanceMarketOptionsRequest.builder()
          .marketType(MarketType.SPOT)
          .spotOptions(s -> {
            s.spotInstanceType(SpotInstanceType.ONE_TIME)
                .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE);
            i.bid().ifPresent(bid -> s.maxPrice(bid.toPlainString()));
          })
          .build());
      tags.add(Tags.spec(ResourceType.SPOT_INSTANCES_REQUEST, settings.project()));
    }
    return b.tagSpecifications(tags).build();
  }

  static boolean isZoneId(String zone) {
    return ZONE_ID.matcher(zone).matches();
  }

  /** The project's workers that are pending or running (not its coordinator node). */
  @Override
  public List<Node> list() {
    return nodes(false);
  }

  /**
   * The project's worker with this instance id, in any state EC2 still shows (terminated
   * instances stay visible for about an hour): an interrupted node has often shut itself down by
   * the time its replacement is bought, and its pool must still be known then.
   */
  @Override
  public Optional<Node> find(String id) {
    try {
      return ec2.describeInstancesPaginator(b -> b.instanceIds(id)
              .filters(Tags.projectFilter(settings.project())))
          .reservations().stream()
          .flatMap(r -> r.instances().stream())
          .filter(i -> !Tags.isCoordinator(i))
          .findFirst()
          .flatMap(Ec2Machines::toNode);
    } catch (SdkException e) {
      if (AwsErrors.code(e).startsWith("InvalidInstanceID")) {
        return Optional.empty(); // not an instance id EC2 knows (any more)
      }
      throw AwsErrors.translate("looking up node " + id + " of project " + settings.project(), e);
    }
  }

  /**
   * The node's console output (what its boot printed), newest first where EC2 has it. See
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetConsoleOutput.html
   */
  @Override
  public Optional<String> console(Node node) {
    try {
      String output;
      try {
        output = ec2.getConsoleOutput(b -> b.instanceId(node.id()).latest(true)).output();
      } catch (SdkException e) {
        // "latest" is for Nitro types only; older ones have the buffered output
        output = ec2.getConsoleOutput(b -> b.instanceId(node.id())).output();
      }
      return Optional.ofNullable(output)
          .map(o -> new String(Base64.getMimeDecoder().decode(o), StandardCharsets.UTF_8));
    } catch (SdkException e) {
      throw AwsErrors.translate("reading the console output of node " + node.id(), e);
    }
  }

  /** Stopping and pricing the project's instances as a whole ({@code aether down}, cost). */
  Ec2ProjectAdmin admin() {
    return new Ec2ProjectAdmin(ec2, this, settings.project());
  }

  /** The project's coordinator node(s) that are pending or running. */
  public List<Node> coordinators() {
    return nodes(true);
  }

  private List<Node> nodes(boolean coordinator) {
    try {
      List<Node> nodes = new ArrayList<>();
      describe(List.of("pending", "running"))
          .filter(i -> Tags.isCoordinator(i) == coordinator)
          .forEach(i -> toNode(i).ifPresent(nodes::add));
      return List.copyOf(nodes);
    } catch (SdkException e) {
      throw AwsErrors.translate("listing the nodes of project " + settings.project(), e);
    }
  }

  /** The project's instances in these states (every state when empty). */
  Stream<Instance> describe(List<String> states) {
    List<Filter> filters = new ArrayList<>(List.of(Tags.projectFilter(settings.project())));
    if (!states.isEmpty()) {
      filters.add(Filter.builder().name("instance-state-name").values(states).build());
    }
    return ec2.describeInstancesPaginator(b -> b.filters(filters)).reservations().stream()
        .flatMap(r -> r.instances().stream());
  }

  /**
   * The node as it was started (its {@code aether:instance} tag), in the zone it runs in: a node
   * planned without a zone is placed by EC2, and its pool is where it landed.
   */
  private static Optional<Node> toNode(Instance i) {
    Optional<ProvisionedInstance> line = i.tags().stream()
        .filter(t -> Tags.INSTANCE.equals(t.key()))
        .findFirst()
        .flatMap(t -> ProvisioningFile.parseTag(t.value(), AwsProvider.NAME));
    Optional<String> zone = Optional.ofNullable(i.placement())
        .map(Placement::availabilityZone).filter(z -> !z.isBlank());
    return line.map(p -> p.zone().isPresent() || zone.isEmpty() ? p
            : new ProvisionedInstance(p.type(), p.processors(), p.ramGb(), p.hasStorage(),
                p.biddable(), p.bid(), zone, p.provider()))
        .map(p -> new Node(i.instanceId(), p, Optional.ofNullable(i.privateIpAddress()),
            Ec2States.of(i.state().name())));
  }

  @Override
  public void stop(Node node) {
    try {
      ec2.terminateInstances(b -> b.instanceIds(node.id()));
    } catch (SdkException e) {
      // already gone: stopping a stopped node does nothing
      if (!AwsErrors.code(e).startsWith("InvalidInstanceID")) {
        throw AwsErrors.translate("terminating node " + node.id(), e);
      }
    }
  }

  private void terminateQuietly(List<Node> nodes) {
    if (nodes.isEmpty()) {
      return;
    }
    try {
      ec2.terminateInstances(b -> b.instanceIds(nodes.stream().map(Node::id).toList()));
    } catch (SdkException e) {
      // the first error is the one to report; docs/aws.md says how to find strays by tag
    }
  }

  private static String describe(ProvisionedInstance i) {
    return i.type() + (i.biddable()
            ? " (spot, bid $" + i.bid().map(BigDecimal::toPlainString).orElse("on-demand price") + "/h)"
            : " (on-demand)")
        + i.zone().map(z -> " in " + z).orElse("");
  }

  @Override
  public void close() {
    ec2.close();
    ssm.close();
  }
}
