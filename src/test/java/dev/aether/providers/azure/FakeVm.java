package dev.aether.providers.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Azure VM of {@link FakeArm} as a local "machine": a folder as its file system root, an
 * instance metadata service of its own (instance data, Scheduled Events, managed-identity tokens
 * for the VM's user-assigned identity only), and its real custom data run by bash, with stand-in
 * {@code apt-get}, {@code curl} (the real curl, Azure's addresses moved to the fakes) and
 * {@code systemctl} first on PATH (from {@code src/test/resources/azure/node-bin}). The script's
 * absolute paths are moved under the root; {@code /usr/bin/java} is this JVM's java.
 */
final class FakeVm implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME
      .withZone(ZoneOffset.UTC);
  static final String UNITS = "aether-agent aether-coordinator";

  final FakeArm.Vm vm;
  final Path root;
  final String clientId;
  final String principalId;
  private final HttpServer imds;
  private Process boot;
  /** The Scheduled Events document this VM's metadata service answers. */
  private volatile String events = "{\"DocumentIncarnation\":1,\"Events\":[]}";
  /** Token requests: the resource asked for, and whether they named this VM's identity. */
  final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  final List<String> unknown = new CopyOnWriteArrayList<>();

  private FakeVm(FakeArm.Vm vm, Path root, FakeArm.Identity identity) throws IOException {
    this.vm = vm;
    this.root = root;
    this.clientId = identity.clientId();
    this.principalId = identity.principalId();
    imds = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    imds.createContext("/", this::metadata);
    imds.start();
  }

  /**
   * Boots {@code vm} under {@code machines}: its metadata service, then its custom data.
   *
   * @param blob Azurite's base URL (accounts are path segments)
   * @param env more environment for the boot script (and so the node's aether commands)
   */
  static FakeVm boot(FakeArm arm, FakeArm.Vm vm, Path machines, URI blob, Map<String, String> env) {
    try {
      FakeArm.Identity identity = arm.identities.values().stream()
          .filter(i -> i.id().equalsIgnoreCase(vm.identityId())).findFirst()
          .orElseThrow(() -> new IllegalStateException("VM " + vm.name + " names identity "
              + vm.identityId() + ", which does not exist"));
      FakeVm m = new FakeVm(vm, machines.resolve(vm.name), identity);
      m.start(arm, blob, env);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI imds() {
    return URI.create("http://127.0.0.1:" + imds.getAddress().getPort());
  }

  private void start(FakeArm arm, URI blob, Map<String, String> extra) throws IOException {
    Path bin = Files.createDirectories(root.resolve("bin"));
    for (String tool : new String[] {"apt-get", "curl", "systemctl"}) {
      Path f = bin.resolve(tool);
      try (InputStream in = FakeVm.class.getResourceAsStream("/azure/node-bin/" + tool)) {
        Files.write(f, in.readAllBytes());
      }
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    String r = root.toString();
    String script = vm.customData()
        .replace("/opt/aether", r + "/opt/aether")
        .replace("/run/aether", r + "/run/aether")
        .replace("/var/lib/aether", r + "/var/lib/aether")
        .replace("/etc/systemd/system", r + "/etc/systemd/system")
        .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java")
            .toString());
    Files.createDirectories(root.resolve("etc/systemd/system"));
    Files.createDirectories(root.resolve("home"));
    Path file = Files.writeString(root.resolve("custom-data.sh"), script);
    ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true)
        .redirectOutput(root.resolve("boot.log").toFile());
    Map<String, String> env = pb.environment();
    // nothing of the test runner's own cloud logins
    env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("AWS_")
        || k.startsWith("AETHER_"));
    env.putAll(extra);
    env.put("HOME", root.resolve("home").toString());
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("AETHER_NODE_ROOT", r);
    env.put("AETHER_VM_NAME", vm.name);
    env.put("AETHER_TEST_ARM", arm.endpoint().toString());
    env.put("AETHER_TEST_IMDS", imds().toString());
    env.put("AETHER_TEST_BLOB", blob.toString());
    env.put("CURL_CA_BUNDLE", TestTls.get().pem.toString());
    env.put(AzureEndpoints.ARM_ENV, arm.endpoint().toString());
    env.put(AzureEndpoints.BLOB_ENV, blob.toString());
    env.put(AzureEndpoints.IMDS_ENV, imds().toString());
    // the Azure SDK's own variable for the metadata service's token endpoint
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds().toString());
    env.put("JAVA_TOOL_OPTIONS", AzureEndToEnd.JVM + " "
        + String.join(" ", TestTls.get().javaOptions()));
    boot = pb.start();
  }

  /** From now on Scheduled Events lists a Preempt of this VM, not before {@code at}. */
  void preempt(Instant at) {
    events = "{\"DocumentIncarnation\":2,\"Events\":[{\"EventId\":\"" + java.util.UUID
        .randomUUID() + "\",\"EventStatus\":\"Scheduled\",\"EventType\":\"Preempt\","
        + "\"ResourceType\":\"VirtualMachine\",\"Resources\":[\"" + vm.name + "\"],"
        + "\"NotBefore\":\"" + RFC_1123.format(at) + "\",\"Description\":\"\","
        + "\"EventSource\":\"Platform\",\"DurationInSeconds\":-1}]}";
  }

  private void metadata(HttpExchange ex) throws IOException {
    try (ex) {
      // MSAL asks for //metadata/...: not a path java.net.URI reads as one, so split by hand
      String[] raw = ex.getRequestURI().toString().split("\\?", 2);
      String path = raw[0].replaceAll("^/+", "/");
      Map<String, String> q = query(raw.length > 1 ? raw[1] : null);
      if (!"true".equals(ex.getRequestHeaders().getFirst("Metadata"))) {
        reply(ex, 400, "{\"error\":\"Bad request. Required metadata header not specified\"}");
        return;
      }
      String id = "/subscriptions/" + FakeArm.SUBSCRIPTION + "/resourceGroups/" + vm.group
          + "/providers/Microsoft.Compute/virtualMachines/" + vm.name;
      switch (path) {
        case "/metadata/instance" -> {
          ObjectNode o = JSON.createObjectNode();
          o.putObject("compute").put("name", vm.name).put("subscriptionId", FakeArm.SUBSCRIPTION)
              .put("resourceGroupName", vm.group).put("location", vm.body.path("location")
                  .asText()).put("vmSize", vm.size()).put("resourceId", id);
          o.putObject("network").putArray("interface").addObject().putObject("ipv4")
              .putArray("ipAddress").addObject().put("privateIpAddress", "127.0.0.1");
          reply(ex, 200, o.toString());
        }
        case "/metadata/instance/compute/resourceId" -> reply(ex, 200, id);
        case "/metadata/scheduledevents" -> reply(ex, 200, events);
        case "/metadata/identity/oauth2/token" -> {
          String resource = q.getOrDefault("resource", "");
          tokenRequests.add(resource + (clientId.equals(q.get("client_id")) ? "" : " (no id)"));
          if (!clientId.equals(q.get("client_id"))) {
            reply(ex, 400, "{\"error\":\"invalid_request\",\"error_description\":\"Identity not"
                + " found\"}");
            return;
          }
          long now = Instant.now().getEpochSecond();
          String token = jwt(resource.replaceAll("/+$", ""), principalId);
          reply(ex, 200, "{\"access_token\":\"" + token + "\",\"client_id\":\"" + clientId
              + "\",\"expires_in\":\"3600\",\"expires_on\":\"" + (now + 3600)
              + "\",\"ext_expires_in\":\"3600\",\"not_before\":\"" + now + "\",\"resource\":\""
              + resource + "\",\"token_type\":\"Bearer\"}");
        }
        default -> {
          unknown.add(ex.getRequestMethod() + " " + ex.getRequestURI());
          reply(ex, 404, "{\"error\":\"Not found\"}");
        }
      }
    }
  }

  /** A token shaped like Entra ID's (unsigned: the fakes check claims, not signatures). */
  static String jwt(String audience, String oid) {
    long now = Instant.now().getEpochSecond();
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    String header = b.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
        .getBytes(StandardCharsets.UTF_8));
    String claims = b.encodeToString(("{\"aud\":\"" + audience + "\",\"iss\":"
        + "\"https://sts.windows.net/" + FakeArm.TENANT + "/\",\"iat\":" + (now - 60) + ",\"nbf\":"
        + (now - 60) + ",\"exp\":" + (now + 3600) + ",\"oid\":\"" + oid + "\",\"tid\":\""
        + FakeArm.TENANT + "\"}").getBytes(StandardCharsets.UTF_8));
    return header + "." + claims + "." + b.encodeToString("fake".getBytes(StandardCharsets.UTF_8));
  }

  /** The machine stops: its services, its boot script and its metadata service. */
  @Override
  public synchronized void close() {
    for (String unit : UNITS.split(" ")) {
      Path pid = root.resolve(unit + ".pid");
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
    if (boot != null) {
      boot.descendants().forEach(ProcessHandle::destroyForcibly);
      boot.destroyForcibly();
    }
    imds.stop(0);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new java.util.HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
