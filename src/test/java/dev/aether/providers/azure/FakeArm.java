package dev.aether.providers.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure Resource Manager for tests, over HTTPS on loopback ({@link TestTls}), answering the
 * operations Aether uses in their documented REST shapes (https://learn.microsoft.com/rest/api/):
 * resource groups (HEAD, PUT, DELETE), storage accounts (GET, PUT, checkNameAvailability),
 * user-assigned identities, role assignments, network security groups, virtual networks, VMs
 * (PUT as a long-running operation with {@code Azure-AsyncOperation}, GET and list with
 * {@code $expand=instanceView}, DELETE) and the Compute usage list. It keeps state: a VM's NIC
 * and OS disk exist until deleted with it (if their {@code deleteOption} says so), a resource
 * group's deletion takes everything in it.
 *
 * <p>Strict like the AWS fakes: a request without a bearer token is 401, one without
 * {@code api-version} or for an operation not listed here is 400 with an ARM error and lands in
 * {@link #unknown}, which tests check is empty. Every call is kept with the caller's identity
 * (the token's {@code oid}), so a test can tell the user's calls from the nodes'.
 */
final class FakeArm implements AutoCloseable {
  static final String SUBSCRIPTION = "8f4e2a10-5b3c-4d6e-9f70-1a2b3c4d5e6f";
  static final String TENANT = "2c1d0e9f-8a7b-4c6d-5e4f-3a2b1c0d9e8f";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One call as received. */
  record Call(String method, String path, Map<String, String> query, JsonNode body, String oid,
      Instant at) {
    boolean is(String method, String pathPart) {
      return this.method.equals(method) && path.toLowerCase(Locale.ROOT)
          .contains(pathPart.toLowerCase(Locale.ROOT));
    }
  }

  /** A VM as Azure holds it: the PUT body, its states, and (in end-to-end tests) its machine. */
  static final class Vm {
    final String name;
    final String group;
    final ObjectNode body;
    final Instant created = Instant.now();
    final String createdBy;
    volatile String provisioning = "Creating";
    volatile String power = "starting";
    volatile FakeVm machine;

    Vm(String name, String group, ObjectNode body, String createdBy) {
      this.name = name;
      this.group = group;
      this.body = body;
      this.createdBy = createdBy;
    }

    JsonNode properties() {
      return body.path("properties");
    }

    String tag(String key) {
      return body.path("tags").path(key).asText(null);
    }

    String role() {
      return tag(AzureNames.ROLE_TAG);
    }

    String size() {
      return properties().path("hardwareProfile").path("vmSize").asText();
    }

    boolean spot() {
      return "Spot".equals(properties().path("priority").asText());
    }

    Optional<Double> maxPrice() {
      JsonNode p = properties().path("billingProfile").path("maxPrice");
      return p.isMissingNode() ? Optional.empty() : Optional.of(p.asDouble());
    }

    String customData() {
      return new String(Base64.getDecoder().decode(properties().path("osProfile")
          .path("customData").asText()), StandardCharsets.UTF_8);
    }

    String identityId() {
      return body.path("identity").path("userAssignedIdentities").fieldNames().next();
    }
  }

  /** A user-assigned identity: ids of its service principal and its client. */
  record Identity(String id, String name, String group, String principalId, String clientId) {}

  /** What a VM's PUT should run into, for tests of failures. */
  record Failure(int nth, int status, String code, String message, boolean async) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<String> unknown = new CopyOnWriteArrayList<>();
  final Map<String, ObjectNode> groups = new ConcurrentHashMap<>();
  final Map<String, ObjectNode> accounts = new ConcurrentHashMap<>();
  final Map<String, Identity> identities = new ConcurrentHashMap<>();
  final Map<String, ObjectNode> roleAssignments = new ConcurrentHashMap<>();
  final Map<String, ObjectNode> nsgs = new ConcurrentHashMap<>();
  final Map<String, ObjectNode> vnets = new ConcurrentHashMap<>();
  final Map<String, Vm> vms = new ConcurrentHashMap<>();
  /** NICs and OS disks made with VMs: id -> the VM they came with. */
  final Map<String, String> nics = new ConcurrentHashMap<>();
  final Map<String, String> disks = new ConcurrentHashMap<>();
  /** Every VM ever made, in order (deleted ones included). */
  final List<Vm> history = new CopyOnWriteArrayList<>();
  /** Every identity ever made, in order (deleted ones included). */
  final List<Identity> identityHistory = new CopyOnWriteArrayList<>();
  /** The usage API's answer for any region: name -> {limit, current}. */
  final Map<String, int[]> usages = new LinkedHashMap<>();
  final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger vmPuts = new AtomicInteger();
  private final Map<String, Op> ops = new ConcurrentHashMap<>();
  private final HttpsServer server;
  /** Called for each VM made (its machine boots in end-to-end tests). */
  volatile Consumer<Vm> onCreate = vm -> {};
  /** Called when a VM goes (deleted, evicted, its group deleted). */
  volatile Consumer<Vm> onDelete = vm -> {};

  private static final class Op {
    volatile int polls;
    final Runnable done;
    final Optional<Failure> failure;
    final Runnable failed;

    Op(Runnable done, Optional<Failure> failure) {
      this(done, failure, () -> {});
    }

    Op(Runnable done, Optional<Failure> failure, Runnable failed) {
      this.done = done;
      this.failure = failure;
      this.failed = failed;
    }
  }

  FakeArm() throws IOException {
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(TestTls.get().serverContext()));
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  // ---- the operations

  private static final String SUB = "/subscriptions/([^/]+)";
  private static final String RG = SUB + "/resourcegroups/([^/]+)";
  private static final Pattern GROUP = Pattern.compile("^" + RG + "$");
  private static final Pattern USAGES = Pattern.compile("^" + SUB
      + "/providers/microsoft\\.compute/locations/([^/]+)/usages$");
  private static final Pattern NAME_CHECK = Pattern.compile("^" + SUB
      + "/providers/microsoft\\.storage/checknameavailability$");
  private static final Pattern ACCOUNT = Pattern.compile("^" + RG
      + "/providers/microsoft\\.storage/storageaccounts/([^/]+)$");
  private static final Pattern IDENTITY = Pattern.compile("^" + RG
      + "/providers/microsoft\\.managedidentity/userassignedidentities/([^/]+)$");
  private static final Pattern ROLE = Pattern.compile("^(/subscriptions/.+)"
      + "/providers/microsoft\\.authorization/roleassignments/([^/]+)$");
  private static final Pattern NSG = Pattern.compile("^" + RG
      + "/providers/microsoft\\.network/networksecuritygroups/([^/]+)$");
  private static final Pattern VNET = Pattern.compile("^" + RG
      + "/providers/microsoft\\.network/virtualnetworks/([^/]+)$");
  private static final Pattern VMS = Pattern.compile("^" + RG
      + "/providers/microsoft\\.compute/virtualmachines$");
  private static final Pattern VM = Pattern.compile("^" + RG
      + "/providers/microsoft\\.compute/virtualmachines/([^/]+)$");
  private static final Pattern OP = Pattern.compile("^/_ops/([^/]+)$");

  private Answer route(String method, String path, Map<String, String> q, JsonNode body,
      String oid) {
    String lower = path.toLowerCase(Locale.ROOT);
    Matcher m;
    if ((m = OP.matcher(lower)).matches()) {
      return op(m.group(1));
    }
    if ((m = ROLE.matcher(lower)).matches()) {
      String scope = path.substring(0, m.end(1));
      return role(method, scope, m.group(2), body);
    }
    if ((m = GROUP.matcher(lower)).matches() && sub(m)) {
      return group(method, m.group(2), body);
    }
    if ((m = USAGES.matcher(lower)).matches() && sub(m) && method.equals("GET")) {
      ArrayNode value = JSON.createArrayNode();
      usages.forEach((name, lc) -> value.addObject().put("unit", "Count")
          .put("limit", lc[0]).put("currentValue", lc[1])
          .putObject("name").put("value", name).put("localizedValue", name + " vCPUs"));
      ObjectNode page = JSON.createObjectNode();
      page.set("value", value);
      return Answer.ok(page);
    }
    if ((m = NAME_CHECK.matcher(lower)).matches() && sub(m) && method.equals("POST")) {
      String name = body.path("name").asText();
      ObjectNode a = JSON.createObjectNode();
      boolean taken = takenAccounts.contains(name) && !accounts.containsKey(name);
      a.put("nameAvailable", !taken);
      if (taken) {
        a.put("reason", "AlreadyExists").put("message", "The storage account named " + name
            + " is already taken.");
      }
      return Answer.ok(a);
    }
    if ((m = ACCOUNT.matcher(lower)).matches() && sub(m)) {
      return account(method, m.group(2), m.group(3), body);
    }
    if ((m = IDENTITY.matcher(lower)).matches() && sub(m)) {
      return identity(method, m.group(2), m.group(3), body, path);
    }
    if ((m = NSG.matcher(lower)).matches() && sub(m) && method.equals("PUT")) {
      return network(nsgs, m.group(2), m.group(3), body, path);
    }
    if ((m = VNET.matcher(lower)).matches() && sub(m) && method.equals("PUT")) {
      return network(vnets, m.group(2), m.group(3), body, path);
    }
    if ((m = VMS.matcher(lower)).matches() && sub(m) && method.equals("GET")) {
      if (!groups.containsKey(m.group(2))) {
        return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + m.group(2)
            + "' could not be found.");
      }
      ArrayNode value = JSON.createArrayNode();
      String group = m.group(2);
      vms.values().stream().filter(v -> v.group.equals(group))
          .forEach(v -> value.add(vmJson(v, "instanceView".equals(q.get("$expand")))));
      ObjectNode page = JSON.createObjectNode();
      page.set("value", value);
      return Answer.ok(page);
    }
    if ((m = VM.matcher(lower)).matches() && sub(m)) {
      return vm(method, m.group(2), m.group(3), q, body, oid);
    }
    return null;
  }

  final java.util.Set<String> takenAccounts = ConcurrentHashMap.newKeySet();

  private static boolean sub(Matcher m) {
    return m.group(1).equals(SUBSCRIPTION);
  }

  private Answer group(String method, String name, JsonNode body) {
    switch (method) {
      case "HEAD":
        return groups.containsKey(name) ? new Answer(204, null, Map.of()) : new Answer(404, null,
            Map.of());
      case "GET":
        return groups.containsKey(name) ? Answer.ok(groups.get(name))
            : Answer.error(404, "ResourceGroupNotFound", "Resource group '" + name
                + "' could not be found.");
      case "PUT": {
        boolean existed = groups.containsKey(name);
        ObjectNode g = JSON.createObjectNode();
        g.put("id", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + name)
            .put("name", name).put("type", "Microsoft.Resources/resourceGroups")
            .put("location", body.path("location").asText());
        g.set("tags", body.path("tags").deepCopy());
        g.putObject("properties").put("provisioningState", "Succeeded");
        groups.put(name, g);
        return new Answer(existed ? 200 : 201, g, Map.of());
      }
      case "DELETE": {
        if (!groups.containsKey(name)) {
          return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + name
              + "' could not be found.");
        }
        deleteGroup(name);
        return accepted(new Op(() -> {}, Optional.empty()), false);
      }
      default:
        return null;
    }
  }

  /** Deletes the group and everything in it, as ARM does. */
  private void deleteGroup(String name) {
    for (Vm v : List.copyOf(vms.values())) {
      if (v.group.equals(name)) {
        deleteVm(v, true);
      }
    }
    String prefix = ("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + name + "/")
        .toLowerCase(Locale.ROOT);
    nics.keySet().removeIf(id -> id.toLowerCase(Locale.ROOT).startsWith(prefix));
    disks.keySet().removeIf(id -> id.toLowerCase(Locale.ROOT).startsWith(prefix));
    identities.values().removeIf(i -> i.group().equals(name));
    nsgs.keySet().removeIf(k -> k.startsWith(name + "/"));
    vnets.keySet().removeIf(k -> k.startsWith(name + "/"));
    accounts.values().removeIf(a -> a.path("id").asText().toLowerCase(Locale.ROOT)
        .startsWith(prefix));
    // assignments at the group (or below it) go with the group
    roleAssignments.keySet().removeIf(k -> (k.substring(0, k.indexOf('|'))
        .toLowerCase(Locale.ROOT) + "/").startsWith(prefix));
    groups.remove(name);
  }

  private Answer account(String method, String group, String name, JsonNode body) {
    if (method.equals("GET")) {
      ObjectNode a = accounts.get(name);
      return a != null && a.path("id").asText().toLowerCase(Locale.ROOT).contains("/resourcegroups/"
          + group + "/") ? Answer.ok(a) : Answer.error(404, "ResourceNotFound",
              "The Resource 'Microsoft.Storage/storageAccounts/" + name + "' under resource group '"
                  + group + "' was not found.");
    }
    if (method.equals("PUT")) {
      if (!groups.containsKey(group)) {
        return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + group
            + "' could not be found.");
      }
      ObjectNode a = ((ObjectNode) body).deepCopy();
      a.put("id", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + groupName(group)
          + "/providers/Microsoft.Storage/storageAccounts/" + name).put("name", name)
          .put("type", "Microsoft.Storage/storageAccounts");
      ((ObjectNode) a.path("properties")).put("provisioningState", "Succeeded");
      accounts.put(name, a);
      return Answer.ok(a);
    }
    return null;
  }

  private Answer identity(String method, String group, String name, JsonNode body, String path) {
    String key = group + "/" + name;
    if (method.equals("GET")) {
      Identity i = identities.get(key);
      return i == null ? Answer.error(404, "ResourceNotFound", "identity " + name + " not found")
          : Answer.ok(identityJson(i, JSON.createObjectNode()));
    }
    if (method.equals("PUT")) {
      if (!groups.containsKey(group)) {
        return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + group
            + "' could not be found.");
      }
      Identity i = identities.computeIfAbsent(key, k -> {
        Identity made = new Identity(path, name, group, UUID.randomUUID().toString(),
            UUID.randomUUID().toString());
        identityHistory.add(made);
        return made;
      });
      return new Answer(201, identityJson(i, body), Map.of());
    }
    return null;
  }

  private static ObjectNode identityJson(Identity i, JsonNode body) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", i.id()).put("name", i.name())
        .put("type", "Microsoft.ManagedIdentity/userAssignedIdentities")
        .put("location", body.path("location").asText("eastus"));
    o.set("tags", body.path("tags").isMissingNode() ? JSON.createObjectNode()
        : body.path("tags").deepCopy());
    o.putObject("properties").put("tenantId", TENANT).put("principalId", i.principalId())
        .put("clientId", i.clientId());
    return o;
  }

  private Answer role(String method, String scope, String name, JsonNode body) {
    String key = scope + "|" + name;
    switch (method) {
      case "PUT": {
        String principal = body.path("properties").path("principalId").asText();
        boolean knownPrincipal = identities.values().stream()
            .anyMatch(i -> i.principalId().equals(principal));
        if (!knownPrincipal) {
          return Answer.error(400, "PrincipalNotFound", "Principal " + principal
              + " does not exist in the directory " + TENANT + ".");
        }
        ObjectNode a = JSON.createObjectNode();
        a.put("id", scope + "/providers/Microsoft.Authorization/roleAssignments/" + name)
            .put("name", name).put("type", "Microsoft.Authorization/roleAssignments");
        ObjectNode p = ((ObjectNode) body.path("properties")).deepCopy();
        p.put("scope", scope);
        a.set("properties", p);
        boolean existed = roleAssignments.containsKey(key);
        roleAssignments.put(key, a);
        return new Answer(existed ? 200 : 201, a, Map.of());
      }
      case "DELETE": {
        ObjectNode a = roleAssignments.remove(key);
        return a == null ? new Answer(204, null, Map.of()) : Answer.ok(a);
      }
      default:
        return null;
    }
  }

  private Answer network(Map<String, ObjectNode> store, String group, String name, JsonNode body,
      String path) {
    if (!groups.containsKey(group)) {
      return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + group
          + "' could not be found.");
    }
    ObjectNode o = ((ObjectNode) body).deepCopy();
    o.put("id", path).put("name", name);
    ((ObjectNode) o.path("properties")).put("provisioningState", "Succeeded");
    store.put(group + "/" + name, o);
    return Answer.ok(o);
  }

  private Answer vm(String method, String group, String name, Map<String, String> q,
      JsonNode body, String oid) {
    String key = group + "/" + name;
    switch (method) {
      case "GET": {
        Vm v = vms.get(key);
        return v == null ? Answer.error(404, "ResourceNotFound", "The Resource"
            + " 'Microsoft.Compute/virtualMachines/" + name + "' under resource group '" + group
            + "' was not found.") : Answer.ok(vmJson(v, "instanceView".equals(q.get("$expand"))));
      }
      case "PUT": {
        if (!groups.containsKey(group)) {
          return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + group
              + "' could not be found.");
        }
        Optional<String> bad = badVm(body);
        if (bad.isPresent()) {
          return Answer.error(400, "InvalidParameter", bad.get());
        }
        int nth = vmPuts.incrementAndGet();
        Optional<Failure> failure = failures.stream().filter(f -> f.nth() == nth).findFirst();
        if (failure.isPresent() && !failure.get().async()) {
          return Answer.error(failure.get().status(), failure.get().code(),
              failure.get().message());
        }
        Vm v = new Vm(name, group, ((ObjectNode) body).deepCopy(), oid);
        vms.put(key, v);
        history.add(v);
        String nicId = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + groupName(group)
            + "/providers/Microsoft.Network/networkInterfaces/" + name + "-nic";
        nics.put(nicId, name);
        disks.put("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + groupName(group)
            + "/providers/Microsoft.Compute/disks/" + name + "_OsDisk", name);
        Op op = new Op(() -> {
          v.provisioning = "Succeeded";
          v.power = "running";
        }, failure, () -> v.provisioning = "Failed");
        if (failure.isEmpty()) {
          onCreate.accept(v);
        }
        Answer a = accepted(op, true);
        return new Answer(201, vmJson(v, false), a.headers());
      }
      case "DELETE": {
        Vm v = vms.get(key);
        if (v == null) {
          return new Answer(204, null, Map.of());
        }
        deleteVm(v, false);
        return accepted(new Op(() -> {}, Optional.empty()), false);
      }
      default:
        return null;
    }
  }

  /** What ARM would refuse in a VM body that Aether must never send. */
  private static Optional<String> badVm(JsonNode body) {
    JsonNode p = body.path("properties");
    if (p.path("hardwareProfile").path("vmSize").asText().isEmpty()) {
      return Optional.of("hardwareProfile.vmSize is required");
    }
    if (p.path("osProfile").has("adminPassword")) {
      return Optional.of("FAKE: Aether must never send a password");
    }
    if (p.path("osProfile").path("linuxConfiguration").path("ssh").path("publicKeys").isEmpty()) {
      return Optional.of("a Linux VM without a password needs an SSH public key");
    }
    if (!body.path("identity").path("userAssignedIdentities").fieldNames().hasNext()) {
      return Optional.of("FAKE: Aether's nodes run with the project's managed identity");
    }
    return Optional.empty();
  }

  /** Deletes a VM, and its NIC and disk if made to go with it; stops its machine. */
  void deleteVm(Vm v, boolean evenIfKept) {
    if (vms.remove(v.group + "/" + v.name) == null) {
      return;
    }
    JsonNode p = v.properties();
    boolean nicGoes = "Delete".equals(p.path("networkProfile").path("networkInterfaceConfigurations")
        .path(0).path("properties").path("deleteOption").asText());
    boolean diskGoes = "Delete".equals(p.path("storageProfile").path("osDisk")
        .path("deleteOption").asText());
    if (nicGoes || evenIfKept) {
      nics.values().removeIf(v.name::equals);
    }
    if (diskGoes || evenIfKept) {
      disks.values().removeIf(v.name::equals);
    }
    onDelete.accept(v);
  }

  /** What Azure does when it takes a Spot VM back with eviction policy Delete: it is gone. */
  void evict(String name) {
    vms.values().stream().filter(v -> v.name.equals(name)).findFirst().ifPresent(v -> {
      if (!v.spot()) {
        throw new IllegalStateException(name + " is pay-as-you-go: Azure does not evict it");
      }
      deleteVm(v, false);
    });
  }

  private ObjectNode vmJson(Vm v, boolean instanceView) {
    ObjectNode o = v.body.deepCopy();
    o.put("id", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + groupName(v.group)
        + "/providers/Microsoft.Compute/virtualMachines/" + v.name).put("name", v.name)
        .put("type", "Microsoft.Compute/virtualMachines");
    ObjectNode p = (ObjectNode) o.path("properties");
    p.put("provisioningState", v.provisioning).put("vmId", UUID.nameUUIDFromBytes(
        v.name.getBytes(StandardCharsets.UTF_8)).toString()).put("timeCreated",
        v.created.toString());
    if (p.path("osProfile").isObject()) {
      ((ObjectNode) p.path("osProfile")).remove("customData"); // ARM never returns it
    }
    if (instanceView) {
      ArrayNode statuses = p.putObject("instanceView").putArray("statuses");
      statuses.addObject().put("code", "ProvisioningState/" + v.provisioning.toLowerCase(Locale.ROOT))
          .put("level", "Info");
      if (!v.provisioning.equals("Creating")) {
        statuses.addObject().put("code", "PowerState/" + v.power).put("level", "Info");
      }
    }
    return o;
  }

  private String groupName(String lower) {
    return Optional.ofNullable(groups.get(lower)).map(g -> g.path("name").asText()).orElse(lower);
  }

  /** 202/201 with a status URL; the operation finishes at its second poll. */
  private Answer accepted(Op op, boolean asyncOperation) {
    String id = UUID.randomUUID().toString();
    ops.put(id, op);
    String url = endpoint() + "_ops/" + id + "?api-version=2024-07-01";
    if (!asyncOperation) {
      op.done.run();
    }
    return new Answer(202, null, Map.of(asyncOperation ? "Azure-AsyncOperation" : "Location", url,
        "Retry-After", "1"));
  }

  private Answer op(String id) {
    Op op = ops.get(id);
    if (op == null) {
      return Answer.error(404, "NotFound", "no operation " + id);
    }
    if (op.polls++ < 1) {
      ObjectNode s = JSON.createObjectNode().put("status", "InProgress");
      return new Answer(200, s, Map.of("Retry-After", "1"));
    }
    ObjectNode s = JSON.createObjectNode();
    if (op.failure.isPresent()) {
      Failure f = op.failure.get();
      op.failed.run();
      s.put("status", "Failed");
      s.putObject("error").put("code", f.code()).put("message", f.message());
      return Answer.ok(s);
    }
    op.done.run();
    return Answer.ok(s.put("status", "Succeeded"));
  }

  // ---- HTTP

  private record Answer(int status, JsonNode body, Map<String, String> headers) {
    static Answer ok(JsonNode body) {
      return new Answer(200, body, Map.of());
    }

    static Answer error(int status, String code, String message) {
      ObjectNode e = JSON.createObjectNode();
      e.putObject("error").put("code", code).put("message", message);
      return new Answer(status, e, Map.of());
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      byte[] raw = ex.getRequestBody().readAllBytes();
      JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
      Optional<String> oid = oid(ex.getRequestHeaders().getFirst("Authorization"));
      if (oid.isEmpty()) {
        reply(ex, Answer.error(401, "AuthenticationFailed", "Authentication failed. The"
            + " 'Authorization' header is missing."));
        return;
      }
      calls.add(new Call(method, path, q, body, oid.get(), Instant.now()));
      Answer a;
      if (!q.containsKey("api-version")) {
        a = null;
      } else {
        synchronized (this) {
          a = route(method, path, q, body, oid.get());
        }
      }
      if (a == null) {
        unknown.add(method + " " + ex.getRequestURI());
        a = Answer.error(400, "FakeArmUnknownOperation", "the fake ARM does not know "
            + method + " " + ex.getRequestURI());
      }
      reply(ex, a);
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  /** The caller's object id from the bearer token (a JWT; the fake does not check signatures). */
  static Optional<String> oid(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return Optional.empty();
    }
    String[] parts = authorization.substring(7).split("\\.");
    if (parts.length < 2) {
      return Optional.empty();
    }
    try {
      JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return Optional.ofNullable(claims.path("oid").asText(null));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static void reply(HttpExchange ex, Answer a) throws IOException {
    a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("x-ms-request-id", UUID.randomUUID().toString());
    if (a.body() == null || ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(a.status(), -1);
      return;
    }
    byte[] bytes = JSON.writeValueAsBytes(a.body());
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(a.status(), bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /** The calls matching {@code method} and a part of the path, in order. */
  List<Call> calls(String method, String pathPart) {
    List<Call> found = new ArrayList<>();
    for (Call c : calls) {
      if (c.is(method, pathPart)) {
        found.add(c);
      }
    }
    return found;
  }

  @Override
  public void close() {
    for (Vm v : List.copyOf(vms.values())) {
      if (v.machine != null) {
        v.machine.close();
      }
    }
    for (Vm v : history) {
      if (v.machine != null) {
        v.machine.close();
      }
    }
    server.stop(0);
  }
}
