package dev.aether.providers.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import reactor.core.publisher.Mono;

/**
 * What the end-to-end Azure tests share, with no network but loopback: {@link FakeArm} whose VMs
 * boot as local machines ({@link FakeVm}) from their real custom data, Azurite as the Blob service
 * (HTTPS, Entra ID tokens), a user who is logged in with {@code az login} (a profile in a home
 * folder of its own, and a stand-in {@code az} that hands the Azure SDK's CLI credential a token),
 * a jar for the launcher and the nodes, and a fresh project. {@link #close()} stops everything.
 */
final class AzureEndToEnd implements AutoCloseable {
  static final String JVM = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";
  static final String REGION = "eastus";
  /** The test user's object id, as the stand-in az's tokens carry it. */
  static final String USER_OID = "6f1d2c3b-4a59-4e8f-9d7c-0b1a2c3d4e5f";

  final FakeArm arm;
  final Azurite azurite;
  final String name;
  final AzureNames names;
  final Path jar;
  final Path user;
  private final Path tmp;

  /** @param nodeEnv more environment for the nodes' boot scripts and aether commands */
  AzureEndToEnd(Path tmp, Map<String, String> nodeEnv) throws Exception {
    this.tmp = tmp;
    this.name = "aether-az-" + Long.toString(System.nanoTime(), 36);
    this.names = new AzureNames(FakeArm.SUBSCRIPTION, REGION, name);
    this.azurite = Azurite.startWithEntraId(List.of(names.account()));
    this.arm = new FakeArm();
    Path machines = Files.createDirectories(tmp.resolve("machines"));
    Map<String, String> env = new HashMap<>(nodeEnv);
    arm.onCreate = vm -> vm.machine = FakeVm.boot(arm, vm, machines, azurite.base(), env);
    // a VM that goes stops at once, as its processes would; off the request's thread
    arm.onDelete = vm -> {
      FakeVm m = vm.machine;
      if (m != null) {
        new Thread(m::close, "stop-" + vm.name).start();
      }
    };
    this.jar = launcherJar(tmp.resolve("aether.jar"));
    this.user = loggedInUser(tmp.resolve("user"));
  }

  /** Starts {@code aether ARGS} as the logged-in user would, with the fakes' endpoints. */
  Process aether(Path home, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("AWS_")
        || k.startsWith("AETHER_"));
    env.put("HOME", user.toString());
    env.put("PATH", user.resolve("bin") + ":" + System.getenv("PATH"));
    env.put("AETHER_HOME", home.toString());
    env.put(AzureEndpoints.ARM_ENV, arm.endpoint().toString());
    env.put(AzureEndpoints.BLOB_ENV, azurite.base().toString());
    // this machine is no Azure VM: its (absent) metadata service answers nothing, at once
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + closedPort());
    env.put("JAVA_TOOL_OPTIONS", JVM + " " + String.join(" ", TestTls.get().javaOptions()));
    return pb.start();
  }

  /**
   * A home folder as {@code az login} leaves it (a profile with the default subscription, with
   * the byte-order mark the CLI writes, and a token cache), and a stand-in {@code az} on its PATH
   * that prints tokens for the test user, as {@code az account get-access-token} does.
   */
  private static Path loggedInUser(Path home) throws IOException {
    Path azure = Files.createDirectories(home.resolve(".azure"));
    Files.writeString(azure.resolve("azureProfile.json"), "\uFEFF{\"installationId\":\"x\","
        + "\"subscriptions\":[{\"id\":\"" + FakeArm.SUBSCRIPTION + "\",\"name\":\"Aether tests\","
        + "\"state\":\"Enabled\",\"user\":{\"name\":\"scientist@example.org\",\"type\":\"user\"},"
        + "\"isDefault\":true,\"tenantId\":\"" + FakeArm.TENANT + "\",\"environmentName\":"
        + "\"AzureCloud\"}]}");
    Files.writeString(azure.resolve("msal_token_cache.json"), "{}");
    Path bin = Files.createDirectories(home.resolve("bin"));
    String management = FakeVm.jwt("https://management.azure.com", USER_OID);
    String storage = FakeVm.jwt("https://storage.azure.com", USER_OID);
    Path az = bin.resolve("az");
    Files.writeString(az, """
        #!/bin/bash
        # stand-in for the Azure CLI: `az account get-access-token --resource R` for the user
        echo "az $*" >> "$HOME/az.log"
        case "$*" in
          *storage.azure.com*) token='%s' ;;
          *management.*) token='%s' ;;
          *) echo "stand-in az: unsupported: $*" >&2; exit 2 ;;
        esac
        printf '{"accessToken":"%%s","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"%s","tenant":"%s","tokenType":"Bearer"}\\n' "$token"
        """.formatted(storage, management, FakeArm.SUBSCRIPTION, FakeArm.TENANT));
    Files.setPosixFilePermissions(az, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  /**
   * A jar like target/aether.jar, without packaging: a manifest whose Class-Path is this test's
   * class path and whose Main-Class is aether's.
   */
  private static Path launcherJar(Path file) throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(Attributes.Name.MAIN_CLASS, "dev.aether.cli.Main");
    StringBuilder cp = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      cp.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
    }
    a.put(Attributes.Name.CLASS_PATH, cp.toString().strip());
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jarFile = new JarOutputStream(out, m)) {
      // the manifest is all it needs
    }
    return file;
  }

  /** The project's container, as the user sees it. */
  BlobContainerClient container() {
    TokenCredential user = ctx -> Mono.just(new AccessToken(
        FakeVm.jwt("https://storage.azure.com", USER_OID), OffsetDateTime.now().plusHours(1)));
    return BlobStorage.service(azurite.base() + "/" + names.account(), user,
        Optional.of(TestTls.get().azureHttpClient())).getBlobContainerClient(name);
  }

  List<String> keys() {
    return container().listBlobs().stream().map(BlobItem::getName).sorted().toList();
  }

  String read(String key) {
    return new String(container().getBlobClient(key).downloadContent().toBytes(),
        StandardCharsets.ISO_8859_1);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int closedPort() throws IOException {
    return freePort(); // free now, and nobody listens there
  }

  /** Every VM's boot log and aether log, for failure messages. */
  String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (FakeArm.Vm v : arm.history) {
      FakeVm m = v.machine;
      if (m == null) {
        continue;
      }
      for (String f : new String[] {"boot.log", "aether-coordinator.log", "aether-agent.log"}) {
        Path p = m.root.resolve(f);
        if (Files.exists(p)) {
          b.append("\n---- ").append(v.name).append(' ').append(f).append('\n')
              .append(Files.readString(p));
        }
      }
    }
    b.append("\n---- unknown ARM requests: ").append(arm.unknown);
    return b.toString();
  }

  @Override
  public void close() {
    arm.close();
    azurite.close();
  }

  Path tmp() {
    return tmp;
  }
}
