package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
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
 * request capped at the bid, or on-demand), tagged {@code aether:project=<name>}, listed by that
 * tag and terminated to stop.
 */
public final class Ec2Machines implements Machines, AutoCloseable {
  /** Zone ids look like {@code use1-az1}; zone names like {@code us-east-1a}. */
  /** Where nodes fetch the aether jar from, in the project bucket. */
  public static final String AGENT_JAR_KEY = UserData.AGENT_JAR_KEY;
  /** Where the pipeline token is while a batch runs (readable by the nodes' role). */
  public static final String TOKEN_KEY = UserData.TOKEN_KEY;

  private static final Pattern ZONE_ID = Pattern.compile("^[a-z]{2,5}\\d+-az\\d+$");

  /**
   * @param project the project name (-N): tags, security group name
   * @param instanceProfile the IAM instance profile nodes run with (policy in docs/aws.md)
   * @param coordinatorPort the port nodes reach the coordinator on, opened to the VPC only
   */
  public record Settings(String project, String instanceProfile, int coordinatorPort) {
    public Settings {
      if (project == null || project.isBlank()) {
        throw AetherException.invalidInput("project name (-N) is empty");
      }
      if (instanceProfile == null || instanceProfile.isBlank()) {
        throw AetherException.invalidInput(
            "no IAM instance profile for the nodes; create one as in docs/aws.md and pass its name");
      }
      if (coordinatorPort < 1 || coordinatorPort > 65535) {
        throw AetherException.invalidInput("coordinator port must be 1-65535, got " + coordinatorPort);
      }
    }
  }

  private final Ec2Client ec2;
  private final SsmClient ssm;
  private final S3Storage bucket;
  private final Settings settings;
  private final String region;

  public Ec2Machines(AwsClients clients, S3Storage bucket, Settings settings) {
    this.region = clients.region();
    this.ec2 = clients.ec2();
    this.ssm = clients.ssm();
    this.bucket = bucket;
    this.settings = settings;
  }

  @Override
  public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
    if (instances.isEmpty()) {
      return List.of();
    }
    // the token goes to a bucket object only the nodes' role can read, never into user-data
    bucket.put(UserData.TOKEN_KEY, bootstrap.token().getBytes(StandardCharsets.UTF_8));
    String userData = UserData.agent(bucket.bucket(), region, bootstrap.coordinator(),
        settings.project());
    return launch(instances, userData, Tags.WORKER);
  }

  /**
   * Starts the project's coordinator node, which runs {@code aether coordinate}: it starts the
   * workers of the bucket's prov.psv, runs the batch and terminates them and then itself.
   */
  public Node startCoordinator(ProvisionedInstance instance) {
    return launch(List.of(instance), UserData.coordinator(bucket.bucket(), region,
            settings.instanceProfile(), settings.coordinatorPort()),
        Tags.COORDINATOR).get(0);
  }

  private List<Node> launch(List<ProvisionedInstance> instances, String script, String role) {
    String userData = UserData.encode(script);
    List<Node> started = new ArrayList<>();
    String doing = "preparing to start nodes for project " + settings.project();
    try {
      String group = new SecurityGroups(ec2).ensure(settings.project(), settings.coordinatorPort());
      Map<String, String> images = images(instances);
      for (ProvisionedInstance i : instances) {
        doing = "starting " + describe(i);
        Instance instance = ec2.runInstances(
                request(i, images.get(i.type()), group, userData, role))
            .instances().get(0);
        started.add(new Node(instance.instanceId(), i,
            Optional.ofNullable(instance.privateIpAddress()), NodeState.PENDING));
      }
      return List.copyOf(started);
    } catch (RuntimeException e) {
      terminateQuietly(started);
      if (e instanceof SdkException sdk) {
        throw AwsErrors.translate(doing
            + (started.isEmpty() ? "" : " (terminated the " + started.size() + " node(s) already started)"), sdk);
      }
      throw e;
    }
  }

  /** AMI per instance type, by the type's architecture. */
  private Map<String, String> images(List<ProvisionedInstance> instances) {
    List<String> types = instances.stream().map(ProvisionedInstance::type).distinct().toList();
    Map<String, String> archByType = new HashMap<>();
    ec2.describeInstanceTypesPaginator(b -> b.instanceTypesWithStrings(types)).instanceTypes()
        .forEach(info -> InstanceTypesReader.toInstanceType(info)
            .ifPresent(t -> archByType.put(t.name(), t.arch())));
    AmiLookup amis = new AmiLookup(ssm);
    Map<String, String> imageByArch = new HashMap<>();
    Map<String, String> imageByType = new HashMap<>();
    for (String type : types) {
      String arch = archByType.get(type);
      if (arch == null) {
        throw AetherException.invalidInput("Instance type " + type + " is not offered in this region"
            + " or has no Amazon Linux image; bid again for this region (-R).");
      }
      imageByType.put(type, imageByArch.computeIfAbsent(arch, amis::imageFor));
    }
    return imageByType;
  }

  private RunInstancesRequest request(ProvisionedInstance i, String image, String group,
      String userData, String role) {
    RunInstancesRequest.Builder b = RunInstancesRequest.builder()
        .imageId(image)
        .instanceType(i.type())
        .minCount(1)
        .maxCount(1)
        .securityGroupIds(group)
        .iamInstanceProfile(p -> p.name(settings.instanceProfile()))
        .userData(userData)
        // nodes stop themselves at the end of the batch: make that a termination, not a stopped
        // (still billed for disk) instance
        .instanceInitiatedShutdownBehavior("terminate");
    List<TagSpecification> tags = new ArrayList<>(List.of(
        Tags.spec(ResourceType.INSTANCE, settings.project(),
            Tag.builder().key(Tags.INSTANCE).value(InstanceLine.format(i)).build(),
            Tag.builder().key(Tags.ROLE).value(role).build()),
        Tags.spec(ResourceType.VOLUME, settings.project())));
    i.zone().filter(z -> !z.isBlank()).ifPresent(z -> b.placement(placement(z)));
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

  private static Placement placement(String zone) {
    return ZONE_ID.matcher(zone).matches()
        ? Placement.builder().availabilityZoneId(zone).build()
        : Placement.builder().availabilityZone(zone).build();
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

  private static Optional<Node> toNode(Instance i) {
    Optional<ProvisionedInstance> line = i.tags().stream()
        .filter(t -> Tags.INSTANCE.equals(t.key()))
        .findFirst()
        .flatMap(t -> InstanceLine.parse(t.value()));
    return line.map(p -> new Node(i.instanceId(), p, Optional.ofNullable(i.privateIpAddress()),
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
