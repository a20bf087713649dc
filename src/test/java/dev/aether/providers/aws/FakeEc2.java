package dev.aether.providers.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * EC2 (and SSM's GetParameter) for tests, answering in the EC2 Query API's XML, whose
 * RunInstances starts a local "machine" for each instance: a folder as its file system root, an
 * instance metadata service of its own, and its real user-data script run by bash with stand-in
 * {@code dnf}, {@code aws}, {@code systemctl} and {@code shutdown} commands first on PATH (from
 * {@code src/test/resources/aws/node-bin}). The script's absolute paths ({@code /opt/aether},
 * {@code /run/aether}, {@code /var/lib/aether}, {@code /etc/systemd/system}) are moved under the
 * machine's root, {@code /usr/bin/java} is this JVM's java. Nodes reach S3 at {@code s3} and EC2
 * at this server through the SDK's {@code AWS_ENDPOINT_URL_*} variables.
 */
final class FakeEc2 implements AutoCloseable {
  private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  private static final DateTimeFormatter GMT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** One fake instance. */
  static final class Machine {
    final String id;
    final String type;
    final Map<String, String> tags;
    final boolean spot;
    final Optional<String> maxPrice;
    final Optional<String> zone;
    final boolean terminateOnShutdown;
    final String userData;
    final Path root;
    final Instant launched = Instant.now();
    volatile String state = "running";
    volatile String reason = "";
    volatile boolean shutDownItself;
    /** The body IMDS answers at spot/instance-action once a notice is out; null before. */
    volatile String spotNotice;
    volatile boolean reclaimed;
    Process boot;
    HttpServer imds;

    Machine(String id, Map<String, String> p, Path root) {
      this.id = id;
      this.type = p.get("InstanceType");
      this.tags = tags(p);
      this.spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
      this.maxPrice = Optional.ofNullable(p.get("InstanceMarketOptions.SpotOptions.MaxPrice"));
      this.zone = Optional.ofNullable(p.get("Placement.AvailabilityZone"));
      this.terminateOnShutdown = "terminate".equals(p.get("InstanceInitiatedShutdownBehavior"));
      this.userData = new String(Base64.getDecoder().decode(p.get("UserData")),
          StandardCharsets.UTF_8);
      this.root = root;
    }

    String role() {
      return tags.getOrDefault(Tags.ROLE, "");
    }
  }

  private final HttpServer server;
  private final URI s3;
  private final Path machines;
  private final Map<String, String> extraEnv;
  private final Map<String, Machine> instances = new LinkedHashMap<>();
  final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
  final List<String> terminateCalls = new CopyOnWriteArrayList<>();
  private int next = 1;

  FakeEc2(URI s3, Path machines, Map<String, String> extraEnv) throws IOException {
    this.s3 = s3;
    this.machines = machines;
    this.extraEnv = extraEnv;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  synchronized List<Machine> machines() {
    return List.copyOf(instances.values());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (path.startsWith("/_shutdown/")) {
        shutDown(path.substring("/_shutdown/".length()));
        reply(ex, 200, "text/plain", "ok");
        return;
      }
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      if ("AmazonSSM.GetParameter".equals(target)) {
        reply(ex, 200, "application/x-amz-json-1.1", "{\"Parameter\":{\"Name\":\"al2023\","
            + "\"Type\":\"String\",\"Value\":\"ami-0fake\",\"Version\":1,\"DataType\":\"aws:ec2:image\"}}");
        return;
      }
      Map<String, String> p = form(body);
      calls.add(p);
      String xml = switch (p.getOrDefault("Action", "")) {
        case "DescribeVpcs" -> "<vpcSet><item><vpcId>vpc-0fake</vpcId><cidrBlock>172.31.0.0/16"
            + "</cidrBlock><isDefault>true</isDefault></item></vpcSet>";
        case "DescribeSecurityGroups" -> securityGroups();
        case "CreateSecurityGroup" -> {
          createdGroup = true;
          yield "<return>true</return><groupId>sg-0fake</groupId>";
        }
        case "AuthorizeSecurityGroupIngress", "DeleteSecurityGroup" -> {
          if (p.get("Action").equals("DeleteSecurityGroup")) {
            deletedGroup = true;
          }
          yield "<return>true</return>";
        }
        case "DescribeInstanceTypes" -> instanceTypes(p);
        case "RunInstances" -> run(p);
        case "DescribeInstances" -> describe(p);
        case "TerminateInstances" -> terminate(p);
        default -> null;
      };
      if (xml == null) {
        reply(ex, 400, "text/xml", "<Response><Errors><Error><Code>InvalidAction</Code><Message>"
            + p.get("Action") + "</Message></Error></Errors><RequestID>r</RequestID></Response>");
        return;
      }
      reply(ex, 200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + p.get("Action")
          + "Response xmlns=\"" + NS + "\"><requestId>r-1</requestId>" + xml + "</"
          + p.get("Action") + "Response>");
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  volatile boolean createdGroup;
  volatile boolean deletedGroup;

  private String securityGroups() {
    return createdGroup && !deletedGroup
        ? "<securityGroupInfo><item><groupId>sg-0fake</groupId><groupName>aether-x</groupName>"
            + "<vpcId>vpc-0fake</vpcId></item></securityGroupInfo>"
        : "<securityGroupInfo/>";
  }

  private static String instanceTypes(Map<String, String> p) {
    StringBuilder b = new StringBuilder("<instanceTypeSet>");
    for (int i = 1; p.containsKey("InstanceType." + i); i++) {
      b.append("<item><instanceType>").append(p.get("InstanceType." + i)).append("</instanceType>")
          .append("<processorInfo><supportedArchitectures><item>x86_64</item>")
          .append("</supportedArchitectures></processorInfo><vCpuInfo><defaultVCpus>2")
          .append("</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>4096</sizeInMiB>")
          .append("</memoryInfo></item>");
    }
    return b.append("</instanceTypeSet>").toString();
  }

  private String run(Map<String, String> p) {
    Machine m;
    synchronized (this) {
      String id = String.format("i-%017d", next++);
      m = new Machine(id, p, machines.resolve(id));
      instances.put(id, m);
    }
    boot(m);
    return "<reservationId>r-0fake</reservationId><ownerId>123456789012</ownerId><instancesSet>"
        + item(m) + "</instancesSet>";
  }

  /**
   * How long DescribeInstances takes to answer, as seen by the caller: the states are read at the
   * end, so a machine that goes away meanwhile is answered gone (real EC2 takes a fraction of a
   * second, more when throttled).
   */
  volatile Duration describeLatency = Duration.ZERO;

  private String describe(Map<String, String> p) {
    try {
      Thread.sleep(describeLatency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> states = new ArrayList<>();
    String project = null;
    for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
      String name = p.get("Filter." + f + ".Name");
      for (int v = 1; p.containsKey("Filter." + f + ".Value." + v); v++) {
        String value = p.get("Filter." + f + ".Value." + v);
        if (name.equals("instance-state-name")) {
          states.add(value);
        } else if (name.equals("tag:" + Tags.PROJECT)) {
          project = value;
        }
      }
    }
    List<String> ids = new ArrayList<>();
    for (int i = 1; p.containsKey("InstanceId." + i); i++) {
      ids.add(p.get("InstanceId." + i));
    }
    StringBuilder b = new StringBuilder("<reservationSet><item><reservationId>r-0fake"
        + "</reservationId><ownerId>123456789012</ownerId><instancesSet>");
    for (Machine m : machines()) {
      if ((project == null || project.equals(m.tags.get(Tags.PROJECT)))
          && (states.isEmpty() || states.contains(m.state))
          && (ids.isEmpty() || ids.contains(m.id))) {
        b.append(item(m));
      }
    }
    return b.append("</instancesSet></item></reservationSet>").toString();
  }

  private String terminate(Map<String, String> p) {
    StringBuilder b = new StringBuilder("<instancesSet>");
    for (int i = 1; p.containsKey("InstanceId." + i); i++) {
      String id = p.get("InstanceId." + i);
      terminateCalls.add(id);
      Machine m;
      synchronized (this) {
        m = instances.get(id);
      }
      if (m == null) {
        continue;
      }
      String before = m.state;
      end(m, "User initiated");
      b.append("<item><instanceId>").append(id).append("</instanceId><previousState><code>16")
          .append("</code><name>").append(before).append("</name></previousState><currentState>")
          .append("<code>48</code><name>terminated</name></currentState></item>");
    }
    return b.append("</instancesSet>").toString();
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
    return "<item><instanceId>" + m.id + "</instanceId><imageId>ami-0fake</imageId>"
        + "<instanceState><code>16</code><name>" + m.state + "</name></instanceState>"
        + "<reason>" + m.reason + "</reason>"
        + "<instanceType>" + m.type + "</instanceType><launchTime>" + m.launched + "</launchTime>"
        + "<placement><availabilityZone>" + m.zone.orElse("us-east-1b")
        + "</availabilityZone></placement><privateIpAddress>127.0.0.1</privateIpAddress>"
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
      m.imds = imds(m);
      String root = m.root.toString();
      String script = m.userData
          .replace("/opt/aether", root + "/opt/aether")
          .replace("/run/aether", root + "/run/aether")
          .replace("/var/lib/aether", root + "/var/lib/aether")
          .replace("/etc/systemd/system", root + "/etc/systemd/system")
          .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java").toString())
          .replace("/usr/sbin/shutdown", root + "/bin/shutdown");
      Files.createDirectories(m.root.resolve("etc/systemd/system"));
      Path file = Files.writeString(m.root.resolve("user-data.sh"), script);
      ProcessBuilder pb = new ProcessBuilder("bash", file.toString())
          .redirectErrorStream(true)
          .redirectOutput(m.root.resolve("boot.log").toFile());
      Map<String, String> env = pb.environment();
      env.putAll(extraEnv);
      env.put("PATH", bin + ":" + System.getenv("PATH"));
      env.put("AETHER_NODE_ROOT", root);
      env.put("AETHER_INSTANCE_ID", m.id);
      env.put("AWS_ENDPOINT_URL_S3", s3.toString());
      env.put("AWS_ENDPOINT_URL_EC2", endpoint().toString());
      env.put("AWS_ENDPOINT_URL_SSM", endpoint().toString());
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT",
          "http://127.0.0.1:" + m.imds.getAddress().getPort());
      env.put("AWS_ACCESS_KEY_ID", "AKIDNODEROLE");
      env.put("AWS_SECRET_ACCESS_KEY", "node-role-secret");
      m.boot = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * IMDSv2: a session token, then the instance id, private address and (once noticed) the spot
   * interruption notice.
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

  private static Map<String, String> tags(Map<String, String> p) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int s = 1; p.containsKey("TagSpecification." + s + ".ResourceType"); s++) {
      if (!p.get("TagSpecification." + s + ".ResourceType").equals("instance")) {
        continue;
      }
      for (int t = 1; p.containsKey("TagSpecification." + s + ".Tag." + t + ".Key"); t++) {
        tags.put(p.get("TagSpecification." + s + ".Tag." + t + ".Key"),
            p.get("TagSpecification." + s + ".Tag." + t + ".Value"));
      }
    }
    return tags;
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
