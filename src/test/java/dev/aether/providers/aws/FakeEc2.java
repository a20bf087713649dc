package dev.aether.providers.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.QuotaKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict, faithful stand-in for one AWS account in us-east-1, for tests: EC2's Query API (XML),
 * SSM's GetParameter, STS's GetCallerIdentity, the IAM calls {@code aether check} makes, and
 * Service Quotas (JSON 1.1), all on one loopback port. Unknown actions are refused loudly (and
 * kept in {@link #unexpected}); requests are checked as EC2 checks them.
 *
 * <p>What it knows, as a real account does:
 * <ul>
 *   <li>instance types from the embedded catalog snapshot (real vCPUs, memory, architecture),
 *       spot prices per zone from it (a bid below the price is {@code SpotMaxPriceTooLow}), and
 *       in which zones a type is sold;
 *   <li>zones by name and id (an account's own mapping: us-east-1a is use1-az4), a default VPC
 *       and a default subnet per zone, either of which a test can take away;
 *   <li>vCPU quotas per quota class and market, counted against what runs;
 *   <li>who calls, from the request's access key: the launcher (may do anything), the
 *       coordinator node's role (EC2, but not IAM) and the workers' role (their bucket only);
 *   <li>the spot service-linked role: missing in a fresh account, made by the first spot launch
 *       of a caller that may create it, else {@code AuthFailure.ServiceLinkedRoleCreationNotPermitted};
 *   <li>instance profiles, security groups, volumes, console output.
 * </ul>
 *
 * <p>A test can make a pool refuse with any capacity or quota error ({@link #failPool}), make the
 * next boots fail or hang ({@link #failBoots}), or throttle an action ({@link #throttle}).
 *
 * <p>With {@code boot} on, RunInstances starts a local "machine" for each instance: a folder as
 * its file system root, an instance metadata service of its own, and its real user-data script
 * run by bash with stand-in {@code dnf}, {@code aws}, {@code systemctl} and {@code shutdown}
 * commands first on PATH (from {@code src/test/resources/aws/node-bin}). The script's absolute
 * paths are moved under the machine's root, {@code /usr/bin/java} is this JVM's java.
 */
final class FakeEc2 implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";
  /** The launcher's key in the end-to-end tests, and AwsStubs' in the others: an administrator. */
  static final Set<String> ADMIN_KEYS = Set.of("AKIDLAUNCHER", "AKIDFAKEFORTESTS");
  static final String COORDINATOR_KEY = "AKIDCOORDINATOR";
  static final String WORKER_KEY = "AKIDWORKER";
  static final String IMAGE_X86 = "ami-0fakex86";
  static final String IMAGE_ARM = "ami-0fakearm";
  static final String VPC = "vpc-0fake";
  static final String CIDR = "172.31.0.0/16";
  private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  private static final String ANY_ZONE = "*";
  private static final DateTimeFormatter GMT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([A-Z0-9]+)/");
  /** This account's zone names and ids, as AWS maps them for it. */
  static final Map<String, String> ZONE_IDS = Map.of(
      "us-east-1a", "use1-az4", "us-east-1b", "use1-az6", "us-east-1c", "use1-az1",
      "us-east-1d", "use1-az2", "us-east-1e", "use1-az3", "us-east-1f", "use1-az5");

  /** How a boot goes wrong. */
  enum BootFailure {
    /** dnf fails: the boot script's trap uploads its log and shuts the node down. */
    FAIL,
    /** dnf never returns: the node runs on and never joins. */
    HANG
  }

  /** One fake instance. */
  static final class Machine {
    final String id;
    final String type;
    final Map<String, String> tags;
    final boolean spot;
    final Optional<String> maxPrice;
    final String zone;
    final String subnet;
    final boolean terminateOnShutdown;
    final String profile;
    final String userData;
    final Path root;
    final boolean foreign;
    final Instant launched = Instant.now();
    volatile String state = "pending";
    volatile String reason = "";
    volatile boolean shutDownItself;
    /** The body IMDS answers at spot/instance-action once a notice is out; null before. */
    volatile String spotNotice;
    volatile boolean reclaimed;
    volatile Optional<BootFailure> bootFailure = Optional.empty();
    Process boot;
    HttpServer imds;

    Machine(String id, Map<String, String> p, String zone, String subnet, Path root,
        boolean foreign) {
      this.id = id;
      this.type = p.get("InstanceType");
      this.tags = tags(p, "instance");
      this.spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
      this.maxPrice = Optional.ofNullable(p.get("InstanceMarketOptions.SpotOptions.MaxPrice"));
      this.zone = zone;
      this.subnet = subnet;
      this.terminateOnShutdown = "terminate".equals(p.get("InstanceInitiatedShutdownBehavior"));
      this.profile = p.getOrDefault("IamInstanceProfile.Name", "");
      this.userData = p.containsKey("UserData") ? new String(Base64.getDecoder().decode(
          p.get("UserData")), StandardCharsets.UTF_8) : "";
      this.root = root;
      this.foreign = foreign;
    }

    String role() {
      return tags.getOrDefault(Tags.ROLE, "");
    }

    boolean alive() {
      return !state.equals("terminated");
    }

    /** The log of a unit ({@code aether-agent}, {@code aether-coordinator}) or {@code boot}. */
    Path log(String name) {
      return root.resolve("var/log/aether/" + name + ".log");
    }
  }

  private final HttpServer server;
  private final URI s3;
  private final Path machines;
  private final Map<String, String> extraEnv;
  private final boolean boots;
  private final Map<String, Machine> instances = new LinkedHashMap<>();
  private final Map<String, InstanceType> types = new HashMap<>();
  /** Spot price by type and zone id; the zones of a type are where it has one. */
  private final Map<String, Map<String, BigDecimal>> spotPrices = new HashMap<>();
  private final Map<String, BigDecimal> onDemandPrices = new HashMap<>();
  final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
  final List<String> terminateCalls = new CopyOnWriteArrayList<>();
  /** Requests it did not know: a test that sees any has a gap in the fake or a wrong call. */
  final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger(1);

  // ---- the account's state, set up as a fresh account with a default VPC
  volatile boolean defaultVpc = true;
  final Set<String> zonesWithoutSubnet = ConcurrentHashMap.newKeySet();
  volatile boolean spotRoleExists;
  /** Callers that may create service-linked roles (iam:CreateServiceLinkedRole). */
  final Set<String> mayCreateSpotRole = ConcurrentHashMap.newKeySet();
  final Set<String> instanceProfiles = ConcurrentHashMap.newKeySet();
  final Map<QuotaKey, Integer> quotas = new ConcurrentHashMap<>();
  private final Map<String, String> groups = new ConcurrentHashMap<>(); // id -> name
  private final Map<String, Map<String, String>> volumes = new ConcurrentHashMap<>(); // id -> tags
  private final List<PoolFailure> poolFailures = new CopyOnWriteArrayList<>();
  private final List<BootRule> bootRules = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> throttles = new ConcurrentHashMap<>();
  /** Actions a caller (access key) is denied, beyond its role's own limits. */
  final Map<String, Set<String>> denied = new ConcurrentHashMap<>();

  private record PoolFailure(String type, Optional<String> zone, Optional<Market> market,
      String code) {}

  private record BootRule(Predicate<Machine> which, BootFailure how, AtomicInteger left) {}

  /** A fake account whose RunInstances boots machines (end-to-end tests). */
  FakeEc2(URI s3, Path machines, Map<String, String> extraEnv) throws IOException {
    this(s3, machines, extraEnv, true);
  }

  /** A fake account whose instances only exist on paper: they run nothing. */
  static FakeEc2 withoutBoots() throws IOException {
    return new FakeEc2(URI.create("http://127.0.0.1:9"), Path.of("unused"), Map.of(), false);
  }

  private FakeEc2(URI s3, Path machines, Map<String, String> extraEnv, boolean boots)
      throws IOException {
    this.s3 = s3;
    this.machines = machines;
    this.extraEnv = extraEnv;
    this.boots = boots;
    for (Offer o : EmbeddedCatalog.load().inRegion(REGION).offers()) {
      types.putIfAbsent(o.type().name(), o.type());
      if (o.market() == Market.SPOT) {
        // a spot price without a zone is the region's: the type is sold in every zone
        spotPrices.computeIfAbsent(o.type().name(), t -> new HashMap<>())
            .put(o.zone().isBlank() ? ANY_ZONE : o.zone(), o.price());
      } else {
        onDemandPrices.put(o.type().name(), o.price());
      }
    }
    mayCreateSpotRole.addAll(ADMIN_KEYS);
    instanceProfiles.addAll(Set.of(AwsProvider.DEFAULT_INSTANCE_PROFILE,
        AwsProvider.DEFAULT_COORDINATOR_PROFILE, "aether-node"));
    quotas.put(new QuotaKey("standard", Market.ON_DEMAND), 64);
    quotas.put(new QuotaKey("standard", Market.SPOT), 64);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  synchronized List<Machine> machines() {
    return instances.values().stream().filter(m -> !m.foreign).toList();
  }

  /** The project's (not foreign) instances that are not terminated: must be none at the end. */
  List<Machine> alive() {
    return machines().stream().filter(Machine::alive).toList();
  }

  // ---- what a test can do to the account

  /**
   * Makes RunInstances in a pool refuse with {@code code} (InsufficientInstanceCapacity,
   * SpotMaxPriceTooLow, VcpuLimitExceeded, MaxSpotInstanceCountExceeded, InstanceLimitExceeded,
   * Unsupported, InsufficientFreeAddressesInSubnet) until {@link #clearPoolFailures}.
   *
   * @param zone a zone name or id; null for every zone
   * @param market null for both markets
   */
  void failPool(String type, String zone, Market market, String code) {
    poolFailures.add(new PoolFailure(type, Optional.ofNullable(zone).map(FakeEc2::zoneId),
        Optional.ofNullable(market), code));
  }

  void clearPoolFailures() {
    poolFailures.clear();
  }

  /** The next {@code count} machines launched that match {@code which} fail or hang at boot. */
  void failBoots(int count, BootFailure how, Predicate<Machine> which) {
    bootRules.add(new BootRule(which, how, new AtomicInteger(count)));
  }

  /** The next {@code count} calls of {@code action} are answered RequestLimitExceeded. */
  void throttle(String action, int count) {
    throttles.put(action, new AtomicInteger(count));
  }

  /** An instance of someone else in the account (another tool), counted against the quotas. */
  void addForeignInstance(String type, boolean spot) {
    Map<String, String> p = new HashMap<>(Map.of("InstanceType", type));
    if (spot) {
      p.put("InstanceMarketOptions.MarketType", "spot");
    }
    synchronized (this) {
      String id = String.format("i-%017x", 0xf000 + next.getAndIncrement());
      Machine m = new Machine(id, p, "us-east-1a", subnetOf("us-east-1a"), machines.resolve(id),
          true);
      m.state = "running";
      instances.put(id, m);
    }
  }

  /** A volume of the project that no instance uses (an attach that failed half-way). */
  String addVolume(String project) {
    String id = String.format("vol-%017x", next.getAndIncrement());
    volumes.put(id, new HashMap<>(Map.of(Tags.PROJECT, project)));
    return id;
  }

  Set<String> volumes() {
    return Set.copyOf(volumes.keySet());
  }

  Set<String> securityGroups() {
    return Set.copyOf(groups.values());
  }

  // ---- requests

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (path.startsWith("/_shutdown/")) {
        shutDown(path.substring("/_shutdown/".length()));
        reply(ex, 200, "text/plain", "ok");
        return;
      }
      String caller = caller(ex);
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      if (target != null) {
        json(ex, target, body);
        return;
      }
      Map<String, String> p = form(body);
      calls.add(p);
      String action = p.getOrDefault("Action", "");
      AtomicInteger throttled = throttles.get(action);
      if (throttled != null && throttled.getAndDecrement() > 0) {
        error(ex, 503, "RequestLimitExceeded", "Request limit exceeded.");
        return;
      }
      String version = p.getOrDefault("Version", "");
      try {
        if (version.equals("2011-06-15")) {
          sts(ex, action, caller);
        } else if (version.equals("2010-05-08")) {
          iam(ex, action, p, caller);
        } else {
          ec2(ex, action, p, caller);
        }
      } catch (Refused r) {
        if (version.equals("2016-11-15") || version.isEmpty()) {
          error(ex, r.status, r.code, r.getMessage());
        } else {
          queryError(ex, r.status, r.code, r.getMessage());
        }
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  /** An answer EC2 (or IAM, STS) would give instead of the result: an error code. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Refused(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private static String caller(HttpExchange ex) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null) {
      return "";
    }
    Matcher m = ACCESS_KEY.matcher(auth);
    return m.find() ? m.group(1) : "";
  }

  /** What each caller may do: its role's policy, less what a test denied it. */
  private void authorize(String caller, String action) {
    if (denied.getOrDefault(caller, Set.of()).contains(action)) {
      throw new Refused(403, "UnauthorizedOperation", "You are not authorized to perform this"
          + " operation. User: " + arn(caller) + " is not authorized to perform: ec2:" + action
          + ". Encoded authorization failure message: fake-encoded");
    }
    if (caller.equals(WORKER_KEY) && !Set.of("DescribeTags", "DescribeVolumes", "CreateVolume",
        "AttachVolume", "DeleteVolume", "ModifyInstanceAttribute", "CreateTags")
        .contains(action)) {
      // the workers' role: their bucket, and attach-storage; never starting machines
      throw new Refused(403, "UnauthorizedOperation", "You are not authorized to perform this"
          + " operation. User: " + arn(caller) + " is not authorized to perform: ec2:" + action);
    }
  }

  private static String arn(String caller) {
    if (caller.equals(COORDINATOR_KEY)) {
      return "arn:aws:sts::" + ACCOUNT + ":assumed-role/aether-coordinator/i-node";
    }
    if (caller.equals(WORKER_KEY)) {
      return "arn:aws:sts::" + ACCOUNT + ":assumed-role/aether-worker/i-node";
    }
    return "arn:aws:iam::" + ACCOUNT + ":user/launcher";
  }

  private void ec2(HttpExchange ex, String action, Map<String, String> p, String caller)
      throws IOException {
    authorize(caller, action);
    String xml = switch (action) {
      case "DescribeAvailabilityZones" -> zones();
      case "DescribeVpcs" -> vpcs(p);
      case "DescribeSubnets" -> subnets(p);
      case "DescribeSecurityGroups" -> securityGroups(p);
      case "CreateSecurityGroup" -> createGroup(p);
      case "AuthorizeSecurityGroupIngress" -> {
        requireGroup(p.get("GroupId"));
        yield "<return>true</return>";
      }
      case "DeleteSecurityGroup" -> deleteGroup(p);
      case "DescribeInstanceTypes" -> instanceTypes(p);
      case "RunInstances" -> run(p, caller);
      case "DescribeInstances" -> describe(p);
      case "TerminateInstances" -> terminate(p);
      case "GetConsoleOutput" -> console(p);
      case "DescribeVolumes" -> describeVolumes(p);
      case "DeleteVolume" -> {
        if (volumes.remove(p.get("VolumeId")) == null) {
          throw new Refused(400, "InvalidVolume.NotFound", "The volume '" + p.get("VolumeId")
              + "' does not exist.");
        }
        yield "<return>true</return>";
      }
      default -> null;
    };
    if (xml == null) {
      unexpected.add("EC2 " + action);
      throw new Refused(400, "InvalidAction", "The action " + action + " is not valid for this"
          + " web service.");
    }
    reply(ex, 200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + action
        + "Response xmlns=\"" + NS + "\"><requestId>r-1</requestId>" + xml + "</" + action
        + "Response>");
  }

  private void sts(HttpExchange ex, String action, String caller) throws IOException {
    if (!action.equals("GetCallerIdentity")) {
      unexpected.add("STS " + action);
      throw new Refused(400, "InvalidAction", action);
    }
    reply(ex, 200, "text/xml", "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
        + "2011-06-15/\"><GetCallerIdentityResult><Arn>" + arn(caller) + "</Arn><UserId>AIDAFAKE"
        + "</UserId><Account>" + ACCOUNT + "</Account></GetCallerIdentityResult><ResponseMetadata>"
        + "<RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
  }

  private void iam(HttpExchange ex, String action, Map<String, String> p, String caller)
      throws IOException {
    String result = switch (action) {
      case "GetRole" -> {
        if (!p.get("RoleName").equals(AwsPreflight.SPOT_ROLE) || !spotRoleExists) {
          throw new Refused(404, "NoSuchEntity", "The role with name " + p.get("RoleName")
              + " cannot be found.");
        }
        yield "<Role><Path>/aws-service-role/spot.amazonaws.com/</Path><RoleName>"
            + AwsPreflight.SPOT_ROLE + "</RoleName><RoleId>AROAFAKE</RoleId><Arn>arn:aws:iam::"
            + ACCOUNT + ":role/aws-service-role/spot.amazonaws.com/" + AwsPreflight.SPOT_ROLE
            + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>";
      }
      case "CreateServiceLinkedRole" -> {
        if (!"spot.amazonaws.com".equals(p.get("AWSServiceName"))) {
          throw new Refused(400, "InvalidInput", "unexpected service " + p.get("AWSServiceName"));
        }
        if (!mayCreateSpotRole.contains(caller)) {
          throw new Refused(403, "AccessDenied", "User: " + arn(caller) + " is not authorized to"
              + " perform: iam:CreateServiceLinkedRole");
        }
        spotRoleExists = true;
        yield "<Role><RoleName>" + AwsPreflight.SPOT_ROLE + "</RoleName><Arn>arn:aws:iam::"
            + ACCOUNT + ":role/aws-service-role/spot.amazonaws.com/" + AwsPreflight.SPOT_ROLE
            + "</Arn><Path>/aws-service-role/spot.amazonaws.com/</Path><RoleId>AROAFAKE</RoleId>"
            + "<CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>";
      }
      case "GetInstanceProfile" -> {
        String name = p.get("InstanceProfileName");
        if (!instanceProfiles.contains(name)) {
          throw new Refused(404, "NoSuchEntity", "Instance Profile " + name + " cannot be found.");
        }
        yield "<InstanceProfile><InstanceProfileName>" + name + "</InstanceProfileName><Path>/"
            + "</Path><InstanceProfileId>AIPAFAKE</InstanceProfileId><Arn>arn:aws:iam::" + ACCOUNT
            + ":instance-profile/" + name + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
            + "<Roles><member><Path>/</Path><RoleName>" + name + "</RoleName><RoleId>AROAFAKE"
            + "</RoleId><Arn>arn:aws:iam::" + ACCOUNT + ":role/" + name + "</Arn><CreateDate>"
            + "2026-01-01T00:00:00Z</CreateDate></member></Roles></InstanceProfile>";
      }
      case "SimulatePrincipalPolicy" -> simulate(p);
      default -> null;
    };
    if (result == null) {
      unexpected.add("IAM " + action);
      throw new Refused(400, "InvalidAction", action);
    }
    reply(ex, 200, "text/xml", "<" + action + "Response xmlns=\"https://iam.amazonaws.com/doc/"
        + "2010-05-08/\"><" + action + "Result>" + result + "</" + action + "Result>"
        + "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></" + action
        + "Response>");
  }

  /** The coordinator's role may do EC2, PassRole and S3; the workers' role S3 only. */
  private String simulate(Map<String, String> p) {
    String role = p.get("PolicySourceArn");
    StringBuilder b = new StringBuilder("<EvaluationResults>");
    for (int i = 1; p.containsKey("ActionNames.member." + i); i++) {
      String action = p.get("ActionNames.member." + i);
      boolean allowed = action.startsWith("s3:") || (role.endsWith("/"
          + AwsProvider.DEFAULT_COORDINATOR_PROFILE) && (action.startsWith("ec2:")
          || action.equals("iam:PassRole")));
      b.append("<member><EvalActionName>").append(action).append("</EvalActionName>")
          .append("<EvalResourceName>").append(xml(p.getOrDefault("ResourceArns.member.1", "*")))
          .append("</EvalResourceName><EvalDecision>").append(allowed ? "allowed"
              : "implicitDeny").append("</EvalDecision></member>");
    }
    return b.append("</EvaluationResults><IsTruncated>false</IsTruncated>").toString();
  }

  /** SSM's GetParameter (the AL2023 image) and Service Quotas, JSON 1.1. */
  private void json(HttpExchange ex, String target, String body) throws IOException {
    switch (target) {
      case "AmazonSSM.GetParameter" -> {
        String image = body.contains("arm64") ? IMAGE_ARM : IMAGE_X86;
        reply(ex, 200, "application/x-amz-json-1.1", "{\"Parameter\":{\"Name\":\"al2023\","
            + "\"Type\":\"String\",\"Value\":\"" + image + "\",\"Version\":1,"
            + "\"DataType\":\"aws:ec2:image\"}}");
      }
      case "ServiceQuotasV20190624.ListServiceQuotas",
          "ServiceQuotasV20190624.ListAWSDefaultServiceQuotas" -> {
        reply(ex, 200, "application/x-amz-json-1.1", "{\"Quotas\":["
            + String.join(",", codes().values()) + "]}");
      }
      default -> {
        unexpected.add("JSON " + target);
        reply(ex, 400, "application/x-amz-json-1.1", "{\"__type\":\"UnknownOperationException\"}");
      }
    }
  }

  /** The quotas as Service Quotas lists them, by their codes. */
  private Map<String, String> codes() {
    Map<String, String> out = new TreeMap<>();
    quotas.forEach((key, value) -> QuotaNames.CODES.forEach((code, k) -> {
      if (k.equals(key)) {
        out.put(code, "{\"ServiceCode\":\"ec2\",\"QuotaCode\":\"" + code + "\",\"QuotaName\":\""
            + (key.market() == Market.SPOT ? "All Standard (A, C, D, H, I, M, R, T, Z) Spot"
                + " Instance Requests" : "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)"
                + " instances") + "\",\"Value\":" + value + ".0,\"Unit\":\"None\"}");
      }
    }));
    return out;
  }

  // ---- EC2: network

  private String zones() {
    StringBuilder b = new StringBuilder("<availabilityZoneInfo>");
    new TreeMap<>(ZONE_IDS).forEach((name, id) -> b.append("<item><zoneName>").append(name)
        .append("</zoneName><zoneId>").append(id).append("</zoneId><zoneState>available")
        .append("</zoneState><regionName>").append(REGION).append("</regionName></item>"));
    return b.append("</availabilityZoneInfo>").toString();
  }

  private String vpcs(Map<String, String> p) {
    boolean onlyDefault = filter(p, "is-default").contains("true");
    return defaultVpc || !onlyDefault ? (defaultVpc ? "<vpcSet><item><vpcId>" + VPC
        + "</vpcId><cidrBlock>" + CIDR + "</cidrBlock><isDefault>true</isDefault><state>available"
        + "</state></item></vpcSet>" : "<vpcSet/>") : "<vpcSet/>";
  }

  private String subnets(Map<String, String> p) {
    List<String> vpc = filter(p, "vpc-id");
    StringBuilder b = new StringBuilder("<subnetSet>");
    if (defaultVpc && (vpc.isEmpty() || vpc.contains(VPC))) {
      new TreeMap<>(ZONE_IDS).forEach((zone, id) -> {
        if (!zonesWithoutSubnet.contains(zone)) {
          b.append("<item><subnetId>").append(subnetOf(zone)).append("</subnetId><vpcId>")
              .append(VPC).append("</vpcId><availabilityZone>").append(zone)
              .append("</availabilityZone><availabilityZoneId>").append(id)
              .append("</availabilityZoneId><defaultForAz>true</defaultForAz>")
              .append("<mapPublicIpOnLaunch>true</mapPublicIpOnLaunch><state>available</state>")
              .append("</item>");
        }
      });
    }
    return b.append("</subnetSet>").toString();
  }

  private static String subnetOf(String zone) {
    return "subnet-0" + zone.substring(zone.length() - 1) + "fake";
  }

  private static String zoneOfSubnet(String subnet) {
    for (String zone : ZONE_IDS.keySet()) {
      if (subnetOf(zone).equals(subnet)) {
        return zone;
      }
    }
    return null;
  }

  /** A zone name or id as the id. */
  static String zoneId(String zone) {
    return ZONE_IDS.getOrDefault(zone, zone);
  }

  private static String zoneName(String zoneOrId) {
    if (ZONE_IDS.containsKey(zoneOrId)) {
      return zoneOrId;
    }
    return ZONE_IDS.entrySet().stream().filter(e -> e.getValue().equals(zoneOrId))
        .map(Map.Entry::getKey).findFirst().orElse(null);
  }

  private String securityGroups(Map<String, String> p) {
    List<String> names = filter(p, "group-name");
    StringBuilder b = new StringBuilder("<securityGroupInfo>");
    groups.forEach((id, name) -> {
      if (names.isEmpty() || names.contains(name)) {
        b.append("<item><groupId>").append(id).append("</groupId><groupName>").append(name)
            .append("</groupName><vpcId>").append(VPC).append("</vpcId></item>");
      }
    });
    return b.append("</securityGroupInfo>").toString();
  }

  private synchronized String createGroup(Map<String, String> p) {
    String name = p.get("GroupName");
    if (!VPC.equals(p.get("VpcId")) || !defaultVpc) {
      throw new Refused(400, "InvalidVpcID.NotFound", "The vpc ID '" + p.get("VpcId")
          + "' does not exist");
    }
    if (groups.containsValue(name)) {
      throw new Refused(400, "InvalidGroup.Duplicate", "The security group '" + name
          + "' already exists for VPC '" + VPC + "'");
    }
    String id = String.format("sg-%017x", next.getAndIncrement());
    groups.put(id, name);
    return "<return>true</return><groupId>" + id + "</groupId>";
  }

  private void requireGroup(String id) {
    if (id == null || !groups.containsKey(id)) {
      throw new Refused(400, "InvalidGroup.NotFound", "The security group '" + id
          + "' does not exist");
    }
  }

  private String deleteGroup(Map<String, String> p) {
    String id = p.get("GroupId");
    requireGroup(id);
    if (machines().stream().anyMatch(m -> m.alive() && m.tags.containsKey(Tags.PROJECT))) {
      throw new Refused(400, "DependencyViolation", "resource " + id + " has a dependent object");
    }
    groups.remove(id);
    return "<return>true</return>";
  }

  // ---- EC2: instance types and launches

  private String instanceTypes(Map<String, String> p) {
    StringBuilder b = new StringBuilder("<instanceTypeSet>");
    List<String> unknown = new ArrayList<>();
    for (int i = 1; p.containsKey("InstanceType." + i); i++) {
      InstanceType t = types.get(p.get("InstanceType." + i));
      if (t == null) {
        unknown.add(p.get("InstanceType." + i));
        continue;
      }
      b.append("<item><instanceType>").append(t.name()).append("</instanceType>")
          .append("<processorInfo><supportedArchitectures><item>").append(t.arch())
          .append("</item></supportedArchitectures></processorInfo><vCpuInfo><defaultVCpus>")
          .append(t.vcpus()).append("</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>")
          .append(Math.round(t.memoryGib() * 1024)).append("</sizeInMiB></memoryInfo>")
          .append("<instanceStorageSupported>").append(t.hasStorage())
          .append("</instanceStorageSupported></item>");
    }
    if (!unknown.isEmpty()) {
      throw new Refused(400, "InvalidInstanceType", "The following supplied instance types do"
          + " not exist: [" + String.join(", ", unknown) + "]");
    }
    return b.append("</instanceTypeSet>").toString();
  }

  /** RunInstances, checked as EC2 checks it, in EC2's order: parameters, then capacity. */
  private String run(Map<String, String> p, String caller) {
    String type = p.get("InstanceType");
    InstanceType t = types.get(type);
    if (t == null) {
      throw new Refused(400, "InvalidParameterValue", "Invalid value '" + type
          + "' for InstanceType.");
    }
    if (!"1".equals(p.get("MinCount")) || !"1".equals(p.get("MaxCount"))) {
      throw new Refused(400, "InvalidParameterValue", "Aether starts one instance per call");
    }
    String image = p.get("ImageId");
    String imageArch = IMAGE_X86.equals(image) ? "x86_64" : IMAGE_ARM.equals(image) ? "arm64"
        : null;
    if (imageArch == null) {
      throw new Refused(400, "InvalidAMIID.NotFound", "The image id '[" + image
          + "]' does not exist");
    }
    if (!imageArch.equals(t.arch())) {
      throw new Refused(400, "InvalidParameterValue", "The architecture '" + t.arch() + "' of the"
          + " specified instance type does not match the architecture '" + imageArch
          + "' of the specified AMI.");
    }
    String profile = p.get("IamInstanceProfile.Name");
    if (profile != null && !instanceProfiles.contains(profile)) {
      throw new Refused(400, "InvalidParameterValue", "Value (" + profile + ") for parameter"
          + " iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name");
    }
    for (int i = 1; p.containsKey("SecurityGroupId." + i); i++) {
      requireGroup(p.get("SecurityGroupId." + i));
    }
    String zone = placementZone(p, type);
    boolean spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
    if (spot) {
      checkSpotOptions(p);
    }
    if (p.containsKey("DryRun") && "true".equals(p.get("DryRun"))) {
      throw new Refused(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is"
          + " set.");
    }
    if (!sold(type, zone)) {
      throw new Refused(400, "Unsupported", "Your requested instance type (" + type + ") is not"
          + " supported in your requested Availability Zone (" + zone + ").");
    }
    Market market = spot ? Market.SPOT : Market.ON_DEMAND;
    for (PoolFailure f : poolFailures) {
      if (f.type().equals(type) && f.zone().map(z -> z.equals(zoneId(zone))).orElse(true)
          && f.market().map(m -> m == market).orElse(true)) {
        // EC2 answers a capacity shortage as a server error (500), the rest as client errors
        throw new Refused(f.code().endsWith("Capacity") ? 500 : 400, f.code(),
            message(f.code(), type, zone));
      }
    }
    if (spot) {
      BigDecimal price = spotPrice(type, zone);
      BigDecimal max = Optional.ofNullable(p.get("InstanceMarketOptions.SpotOptions.MaxPrice"))
          .map(BigDecimal::new).orElse(onDemandPrices.getOrDefault(type, price));
      if (max.compareTo(price) < 0) {
        throw new Refused(400, "SpotMaxPriceTooLow", "Your Spot request price of " + max
            + " is lower than the minimum required Spot request fulfillment price of " + price
            + ".");
      }
      if (!spotRoleExists) {
        if (!mayCreateSpotRole.contains(caller)) {
          throw new Refused(403, "AuthFailure.ServiceLinkedRoleCreationNotPermitted", "The"
              + " provided credentials do not have permission to create the service-linked role"
              + " for EC2 Spot Instances.");
        }
        spotRoleExists = true; // the first spot launch of an allowed caller makes it
      }
    }
    QuotaKey key = new QuotaKey(t.quotaClass(), market);
    Integer quota = quotas.get(key);
    if (quota != null && used(key) + t.vcpus() > quota) {
      throw new Refused(400, spot ? "MaxSpotInstanceCountExceeded" : "VcpuLimitExceeded",
          "You have requested more vCPU capacity than your current vCPU limit of " + quota
              + " allows for the instance bucket that the specified instance type belongs to.");
    }
    Machine m;
    synchronized (this) {
      String id = String.format("i-%017x", next.getAndIncrement());
      m = new Machine(id, p, zone, subnetOf(zone), machines.resolve(id), false);
      instances.put(id, m);
      for (BootRule rule : bootRules) {
        if (rule.which().test(m) && rule.left().getAndDecrement() > 0) {
          m.bootFailure = Optional.of(rule.how());
          break;
        }
      }
    }
    if (boots) {
      boot(m);
    }
    m.state = "running";
    return "<reservationId>r-0fake</reservationId><ownerId>" + ACCOUNT + "</ownerId>"
        + "<instancesSet>" + item(m) + "</instancesSet>";
  }

  /** The zone a launch goes to: its subnet's, or its placement's default subnet's. */
  private String placementZone(Map<String, String> p, String type) {
    if (!defaultVpc && !p.containsKey("SubnetId")) {
      throw new Refused(400, "VPCIdNotSpecified", "No default VPC for this user. GroupName is"
          + " only supported for EC2-Classic and default VPC.");
    }
    String asked = Optional.ofNullable(p.get("Placement.AvailabilityZone"))
        .or(() -> Optional.ofNullable(p.get("Placement.AvailabilityZoneId"))
            .map(FakeEc2::zoneName)).orElse(null);
    if (p.containsKey("SubnetId")) {
      String zone = zoneOfSubnet(p.get("SubnetId"));
      if (zone == null || zonesWithoutSubnet.contains(zone) || !defaultVpc) {
        throw new Refused(400, "InvalidSubnetID.NotFound", "The subnet ID '" + p.get("SubnetId")
            + "' does not exist");
      }
      if (asked != null && !asked.equals(zone)) {
        throw new Refused(400, "InvalidParameterValue", "The subnet " + p.get("SubnetId")
            + " is in " + zone + ", not " + asked);
      }
      return zone;
    }
    if (asked != null) {
      if (zoneName(asked) == null) {
        throw new Refused(400, "InvalidParameterValue", "Invalid availability zone: [" + asked
            + "]");
      }
      if (zonesWithoutSubnet.contains(asked)) {
        throw new Refused(400, "MissingInput", "No default subnet for availability zone: '"
            + asked + "'.");
      }
      return asked;
    }
    // no zone asked: EC2 picks a default subnet in a zone that sells the type
    return new TreeMap<>(ZONE_IDS).keySet().stream().filter(z -> !zonesWithoutSubnet.contains(z))
        .filter(z -> sold(type, z))
        .findFirst().orElseThrow(() -> new Refused(400, "MissingInput", "No subnets found for"
            + " the default VPC '" + VPC + "'. Please specify a subnet."));
  }

  /** Spot options as EC2 takes them for a one-time request. */
  private static void checkSpotOptions(Map<String, String> p) {
    String requestType = p.getOrDefault("InstanceMarketOptions.SpotOptions.SpotInstanceType",
        "one-time");
    String behavior = p.getOrDefault(
        "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
    if (!Set.of("one-time", "persistent").contains(requestType)
        || !Set.of("terminate", "stop", "hibernate").contains(behavior)) {
      throw new Refused(400, "InvalidParameterValue", "invalid spot options " + requestType + "/"
          + behavior);
    }
    if (requestType.equals("one-time") && !behavior.equals("terminate")) {
      throw new Refused(400, "InvalidParameterCombination", "A one-time Spot request can only"
          + " be terminated on interruption.");
    }
    String max = p.get("InstanceMarketOptions.SpotOptions.MaxPrice");
    if (max != null) {
      try {
        if (new BigDecimal(max).signum() <= 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new Refused(400, "InvalidParameterValue", "Invalid value '" + max
            + "' for SpotOptions.MaxPrice");
      }
    }
  }

  /** Whether the type is sold in the zone: where the snapshot has a spot price for it. */
  private boolean sold(String type, String zone) {
    Map<String, BigDecimal> byZone = spotPrices.get(type);
    return byZone == null || byZone.containsKey(ANY_ZONE) || byZone.containsKey(zoneId(zone));
  }

  private BigDecimal spotPrice(String type, String zone) {
    Map<String, BigDecimal> byZone = spotPrices.getOrDefault(type, Map.of());
    BigDecimal od = onDemandPrices.getOrDefault(type, BigDecimal.ONE);
    return Optional.ofNullable(byZone.get(zoneId(zone)))
        .or(() -> Optional.ofNullable(byZone.get(ANY_ZONE)))
        .or(() -> byZone.values().stream().min(BigDecimal::compareTo))
        .orElse(od.multiply(new BigDecimal("0.4")));
  }

  /** Sets the spot price of a pool (the market moves). */
  void spotPrice(String type, String zone, BigDecimal price) {
    spotPrices.computeIfAbsent(type, t -> new HashMap<>()).put(zoneId(zone), price);
  }

  private synchronized int used(QuotaKey key) {
    int used = 0;
    for (Machine m : instances.values()) {
      InstanceType t = types.get(m.type);
      if (m.alive() && t != null && t.quotaClass().equals(key.quotaClass())
          && (m.spot ? Market.SPOT : Market.ON_DEMAND) == key.market()) {
        used += t.vcpus();
      }
    }
    return used;
  }

  private static String message(String code, String type, String zone) {
    return switch (code) {
      case "InsufficientInstanceCapacity" -> "We currently do not have sufficient " + type
          + " capacity in the Availability Zone you requested (" + zone + "). Our system will be"
          + " working on provisioning additional capacity.";
      case "SpotMaxPriceTooLow" -> "Your Spot request price is lower than the minimum required"
          + " Spot request fulfillment price.";
      case "Unsupported" -> "Your requested instance type (" + type + ") is not supported in"
          + " your requested Availability Zone (" + zone + ").";
      default -> "You have requested more instances or vCPUs than your current limit allows ("
          + code + ").";
    };
  }

  // ---- EC2: instances

  private String describe(Map<String, String> p) {
    try {
      Thread.sleep(describeLatency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> states = filter(p, "instance-state-name");
    List<String> projects = filter(p, "tag:" + Tags.PROJECT);
    List<String> ids = new ArrayList<>();
    for (int i = 1; p.containsKey("InstanceId." + i); i++) {
      ids.add(p.get("InstanceId." + i));
    }
    List<Machine> all;
    synchronized (this) {
      all = List.copyOf(instances.values());
      for (String id : ids) {
        if (!instances.containsKey(id)) {
          throw new Refused(400, "InvalidInstanceID.NotFound", "The instance ID '" + id
              + "' does not exist");
        }
      }
    }
    StringBuilder b = new StringBuilder("<reservationSet><item><reservationId>r-0fake"
        + "</reservationId><ownerId>" + ACCOUNT + "</ownerId><instancesSet>");
    for (Machine m : all) {
      if ((projects.isEmpty() || projects.contains(m.tags.get(Tags.PROJECT)))
          && (states.isEmpty() || states.contains(m.state))
          && (ids.isEmpty() || ids.contains(m.id))) {
        b.append(item(m));
      }
    }
    return b.append("</instancesSet></item></reservationSet>").toString();
  }

  /**
   * How long DescribeInstances takes to answer, as seen by the caller: the states are read at the
   * end, so a machine that goes away meanwhile is answered gone (real EC2 takes a fraction of a
   * second, more when throttled).
   */
  volatile Duration describeLatency = Duration.ZERO;

  private String terminate(Map<String, String> p) {
    List<Machine> found = new ArrayList<>();
    synchronized (this) {
      for (int i = 1; p.containsKey("InstanceId." + i); i++) {
        Machine m = instances.get(p.get("InstanceId." + i));
        if (m == null) {
          throw new Refused(400, "InvalidInstanceID.NotFound", "The instance ID '"
              + p.get("InstanceId." + i) + "' does not exist");
        }
        found.add(m);
      }
    }
    StringBuilder b = new StringBuilder("<instancesSet>");
    for (Machine m : found) {
      terminateCalls.add(m.id);
      String before = m.state;
      end(m, "User initiated");
      b.append("<item><instanceId>").append(m.id).append("</instanceId><previousState><code>16")
          .append("</code><name>").append(before).append("</name></previousState><currentState>")
          .append("<code>48</code><name>terminated</name></currentState></item>");
    }
    return b.append("</instancesSet>").toString();
  }

  /** What the machine's boot printed (its boot log), base64 as EC2 gives it. */
  private String console(Map<String, String> p) {
    Machine m;
    synchronized (this) {
      m = instances.get(p.get("InstanceId"));
    }
    if (m == null) {
      throw new Refused(400, "InvalidInstanceID.NotFound", "The instance ID '"
          + p.get("InstanceId") + "' does not exist");
    }
    String text = "";
    try {
      Path log = m.log("boot");
      if (Files.exists(log)) {
        text = "[   0.000000] Linux version 6.1 (fake console)\n" + Files.readString(log);
      }
    } catch (IOException e) {
      // an empty console, as EC2 gives before the first output
    }
    return "<instanceId>" + m.id + "</instanceId><timestamp>" + Instant.now() + "</timestamp>"
        + (text.isEmpty() ? "" : "<output>" + Base64.getEncoder().encodeToString(
            text.getBytes(StandardCharsets.UTF_8)) + "</output>");
  }

  private String describeVolumes(Map<String, String> p) {
    List<String> projects = filter(p, "tag:" + Tags.PROJECT);
    List<String> status = filter(p, "status");
    StringBuilder b = new StringBuilder("<volumeSet>");
    volumes.forEach((id, tags) -> {
      if ((projects.isEmpty() || projects.contains(tags.get(Tags.PROJECT)))
          && (status.isEmpty() || status.contains("available"))) {
        b.append("<item><volumeId>").append(id).append("</volumeId><size>100</size>")
            .append("<availabilityZone>us-east-1a</availabilityZone><status>available</status>")
            .append("<volumeType>gp3</volumeType></item>");
      }
    });
    return b.append("</volumeSet>").toString();
  }

  /**
   * The two-minute spot interruption notice, as AWS gives it: from now on this machine's IMDS
   * answers {@code GET /latest/meta-data/spot/instance-action} with
   * {@code {"action": "terminate", "time": "..."}} (404 before), see
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
   *
   * @return the time in the notice
   */
  Instant noticeSpotInterruption(String id, Duration notice) {
    Machine m = machine(id);
    if (!m.spot) {
      throw new IllegalStateException(id + " is on-demand: AWS does not interrupt it");
    }
    Instant at = Instant.now().plus(notice).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    m.spotNotice = "{\"action\": \"terminate\", \"time\": \"" + at + "\"}";
    return at;
  }

  /**
   * What EC2 does when the notice's time comes: the spot instance is terminated (if it has not
   * shut itself down already).
   */
  void reclaimSpot(String id) {
    Machine m = machine(id);
    m.reclaimed = true;
    end(m, "Server.SpotInstanceTermination: Spot instance termination");
  }

  private synchronized Machine machine(String id) {
    Machine m = instances.get(id);
    if (m == null) {
      throw new IllegalArgumentException("no instance " + id);
    }
    return m;
  }

  /** The node ran {@code shutdown}: terminated if it was started so, else stopped. */
  private void shutDown(String id) {
    Machine m;
    synchronized (this) {
      m = instances.get(id);
    }
    if (m != null) {
      m.shutDownItself = true;
      new Thread(() -> end(m, "Client.InstanceInitiatedShutdown")).start();
    }
  }

  private void end(Machine m, String why) {
    synchronized (m) {
      if (m.state.equals("terminated") || m.state.equals("stopped")) {
        return;
      }
      m.state = why.startsWith("Client.InstanceInitiated") && !m.terminateOnShutdown
          ? "stopped" : "terminated";
      m.reason = why + " (" + GMT.format(Instant.now()) + " GMT)";
    }
    kill(m);
  }

  private static void kill(Machine m) {
    for (String unit : new String[] {"aether-agent", "aether-coordinator"}) {
      Path pid = m.root.resolve(unit + ".pid");
      if (Files.exists(pid)) {
        try {
          ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
          });
        } catch (IOException | NumberFormatException e) {
          // nothing to kill
        }
      }
    }
    if (m.boot != null) {
      m.boot.descendants().forEach(ProcessHandle::destroyForcibly);
      m.boot.destroyForcibly();
    }
    if (m.imds != null) {
      m.imds.stop(0);
    }
  }

  private String item(Machine m) {
    StringBuilder tags = new StringBuilder("<tagSet>");
    m.tags.forEach((k, v) -> tags.append("<item><key>").append(k).append("</key><value>")
        .append(xml(v)).append("</value></item>"));
    tags.append("</tagSet>");
    InstanceType t = types.get(m.type);
    int vcpus = t == null ? 2 : t.vcpus();
    int threads = vcpus > 1 ? 2 : 1;
    return "<item><instanceId>" + m.id + "</instanceId><imageId>" + IMAGE_X86 + "</imageId>"
        + "<instanceState><code>16</code><name>" + m.state + "</name></instanceState>"
        + "<reason>" + m.reason + "</reason>"
        + "<instanceType>" + m.type + "</instanceType><launchTime>" + m.launched + "</launchTime>"
        + "<placement><availabilityZone>" + m.zone + "</availabilityZone><availabilityZoneId>"
        + zoneId(m.zone) + "</availabilityZoneId></placement><subnetId>" + m.subnet
        + "</subnetId><vpcId>" + VPC + "</vpcId><privateIpAddress>127.0.0.1</privateIpAddress>"
        + "<cpuOptions><coreCount>" + (vcpus / threads) + "</coreCount><threadsPerCore>"
        + threads + "</threadsPerCore></cpuOptions>"
        + (m.spot ? "<instanceLifecycle>spot</instanceLifecycle>" : "") + tags + "</item>";
  }

  /** Gives the machine a root, an IMDS, and runs its user-data there. */
  private void boot(Machine m) {
    try {
      Path bin = Files.createDirectories(m.root.resolve("bin"));
      for (String tool : new String[] {"dnf", "aws", "systemctl", "shutdown"}) {
        Path f = bin.resolve(tool);
        try (InputStream in = FakeEc2.class.getResourceAsStream("/aws/node-bin/" + tool)) {
          Files.write(f, in.readAllBytes());
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      if (m.bootFailure.isPresent()) {
        Files.writeString(bin.resolve("dnf"), m.bootFailure.get() == BootFailure.FAIL
            ? "#!/bin/sh\necho \"Error: Failed to download metadata for repo 'amazonlinux'\" >&2"
                + "\nexit 1\n"
            : "#!/bin/sh\necho 'Waiting for the package mirror...'\nexec sleep 3600\n");
      }
      m.imds = imds(m);
      String root = m.root.toString();
      String script = m.userData
          .replace("/opt/aether", root + "/opt/aether")
          .replace("/run/aether", root + "/run/aether")
          .replace("/var/lib/aether", root + "/var/lib/aether")
          .replace("/var/log/aether", root + "/var/log/aether")
          .replace("/etc/systemd/system", root + "/etc/systemd/system")
          .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java").toString())
          .replace("/usr/sbin/shutdown", root + "/bin/shutdown");
      Files.createDirectories(m.root.resolve("etc/systemd/system"));
      Files.createDirectories(m.root.resolve("var/log"));
      Path file = Files.writeString(m.root.resolve("user-data.sh"), script);
      ProcessBuilder pb = new ProcessBuilder("bash", file.toString())
          .redirectErrorStream(true)
          .redirectOutput(m.root.resolve("cloud-init-output.log").toFile());
      Map<String, String> env = pb.environment();
      env.putAll(extraEnv);
      env.put("PATH", bin + ":" + System.getenv("PATH"));
      env.put("AETHER_NODE_ROOT", root);
      env.put("AETHER_INSTANCE_ID", m.id);
      env.put("AWS_ENDPOINT_URL_S3", s3.toString());
      env.put("AWS_ENDPOINT_URL_EC2", endpoint().toString());
      env.put("AWS_ENDPOINT_URL_SSM", endpoint().toString());
      env.put("AWS_ENDPOINT_URL_STS", endpoint().toString());
      env.put("AWS_ENDPOINT_URL_IAM", endpoint().toString());
      env.put("AWS_ENDPOINT_URL_SERVICE_QUOTAS", endpoint().toString());
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT",
          "http://127.0.0.1:" + m.imds.getAddress().getPort());
      // the instance role's credentials, as IMDS would give them: one key per profile
      env.put("AWS_ACCESS_KEY_ID", m.profile.equals(AwsProvider.DEFAULT_COORDINATOR_PROFILE)
          ? COORDINATOR_KEY : WORKER_KEY);
      env.put("AWS_SECRET_ACCESS_KEY", "node-role-secret");
      m.boot = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * IMDSv2: a session token, then the instance id, private address, market, zone and (once
   * noticed) the spot interruption notice.
   */
  private static HttpServer imds(Machine m) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/", ex -> {
      try (ex) {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/latest/api/token") && ex.getRequestMethod().equals("PUT")) {
          ex.getResponseHeaders().add("x-aws-ec2-metadata-token-ttl-seconds", "21600");
          reply(ex, 200, "text/plain", "imds-session-token");
        } else if (!"imds-session-token".equals(ex.getRequestHeaders().getFirst("x-aws-ec2-metadata-token"))) {
          reply(ex, 401, "text/plain", "");
        } else if (path.equals("/latest/meta-data/instance-id")) {
          reply(ex, 200, "text/plain", m.id);
        } else if (path.equals("/latest/meta-data/local-ipv4")) {
          reply(ex, 200, "text/plain", "127.0.0.1");
        } else if (path.equals("/latest/meta-data/instance-life-cycle")) {
          reply(ex, 200, "text/plain", m.spot ? "spot" : "on-demand");
        } else if (path.equals("/latest/meta-data/placement/availability-zone")) {
          reply(ex, 200, "text/plain", m.zone);
        } else if (path.equals("/latest/meta-data/spot/instance-action") && m.spotNotice != null) {
          reply(ex, 200, "text/plain", m.spotNotice);
        } else {
          reply(ex, 404, "text/plain", "");
        }
      }
    });
    s.start();
    return s;
  }

  private static Map<String, String> tags(Map<String, String> p, String resourceType) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int s = 1; p.containsKey("TagSpecification." + s + ".ResourceType"); s++) {
      if (!p.get("TagSpecification." + s + ".ResourceType").equals(resourceType)) {
        continue;
      }
      for (int t = 1; p.containsKey("TagSpecification." + s + ".Tag." + t + ".Key"); t++) {
        tags.put(p.get("TagSpecification." + s + ".Tag." + t + ".Key"),
            p.get("TagSpecification." + s + ".Tag." + t + ".Value"));
      }
    }
    return tags;
  }

  /** The values of the filter named {@code name} ({@code Filter.N.Name/Value.M}). */
  private static List<String> filter(Map<String, String> p, String name) {
    List<String> values = new ArrayList<>();
    for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
      if (p.get("Filter." + f + ".Name").equals(name)) {
        for (int v = 1; p.containsKey("Filter." + f + ".Value." + v); v++) {
          values.add(p.get("Filter." + f + ".Value." + v));
        }
      }
    }
    return values;
  }

  static Map<String, String> form(String body) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        p.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return p;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void error(HttpExchange ex, int status, String code, String message)
      throws IOException {
    reply(ex, status, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors>"
        + "<Error><Code>" + code + "</Code><Message>" + xml(message) + "</Message></Error>"
        + "</Errors><RequestID>r-err</RequestID></Response>");
  }

  /** The error form of the Query APIs other than EC2's (IAM, STS). */
  private static void queryError(HttpExchange ex, int status, String code, String message)
      throws IOException {
    reply(ex, status, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>" + code
        + "</Code><Message>" + xml(message) + "</Message></Error><RequestId>r-err</RequestId>"
        + "</ErrorResponse>");
  }

  private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    for (Machine m : machines()) {
      kill(m);
    }
    server.stop(0);
  }
}
