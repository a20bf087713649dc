package dev.aether.providers.azure;

import static org.junit.jupiter.api.Assertions.fail;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Microsoft's Azure Storage emulator, Azurite (its Blob service only), run as a child process on
 * a free loopback port with in-memory storage, for one test class. Installed by
 * {@code tools/install-azurite.sh}; found at {@code $AZURITE_BLOB}, in
 * {@code .tools/azurite/node_modules/.bin/}, or on the PATH. Missing: the tests fail when
 * {@code CI=true}, and are skipped with the reason otherwise.
 */
final class Azurite implements AutoCloseable {
  /** Azurite's built-in account and its published key (the same for every Azurite). */
  static final String ACCOUNT = "devstoreaccount1";
  private static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  private static final Pattern LISTENING =
      Pattern.compile("successfully listens on (https?://127\\.0\\.0\\.1:\\d+)");
  /** Node takes a few seconds to load Azurite on a busy 2-core machine. */
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);

  private final Process process;
  private final String endpoint;
  private final List<String> output;
  private final Path workDir;

  private Azurite(Process process, String endpoint, List<String> output, Path workDir) {
    this.process = process;
    this.endpoint = endpoint;
    this.output = output;
    this.workDir = workDir;
  }

  /** Starts Azurite and waits until it says it listens, or fails with what it printed. */
  static Azurite start() throws IOException, InterruptedException {
    return start(List.of(), java.util.Map.of());
  }

  /**
   * Azurite as Azure's Blob service is to a managed identity: HTTPS with the tests' certificate
   * ({@link TestTls}) and Entra ID bearer tokens checked for issuer, audience and lifetime
   * ({@code --oauth basic}; it does not check signatures), with storage {@code accounts} of
   * these names besides its own.
   */
  static Azurite startWithEntraId(List<String> accounts) throws IOException, InterruptedException {
    TestTls tls = TestTls.get();
    StringBuilder keys = new StringBuilder();
    for (String a : accounts) {
      keys.append(keys.length() == 0 ? "" : ";").append(a).append(':').append(KEY);
    }
    return start(List.of("--cert", tls.keyStore.toString(), "--pwd", TestTls.PASSWORD,
        "--oauth", "basic"), keys.length() == 0 ? java.util.Map.of()
            : java.util.Map.of("AZURITE_ACCOUNTS", keys.toString()));
  }

  private static Azurite start(List<String> more, java.util.Map<String, String> env)
      throws IOException, InterruptedException {
    Path bin = find();
    Path workDir = Files.createTempDirectory("azurite-");
    // --blobPort 0: the kernel picks a free port and Azurite prints it. --skipApiVersionCheck:
    // the SDK may speak a newer service version than this Azurite knows.
    List<String> command = new ArrayList<>(List.of(bin.toString(),
        "--blobHost", "127.0.0.1", "--blobPort", "0",
        "--inMemoryPersistence", "--extentMemoryLimit", "256",
        "--silent", "--skipApiVersionCheck", "--disableTelemetry"));
    command.addAll(more);
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process process = pb.start();
    process.getOutputStream().close();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.add(line);
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            listening.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        // the process went away; the wait below reports it
      } finally {
        listening.complete(null);
      }
    }, "azurite-output");
    reader.setDaemon(true);
    reader.start();
    String url;
    try {
      url = listening.get(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      url = null;
    }
    if (url == null) {
      stop(process);
      deleteTree(workDir);
      fail("Azurite (" + bin + ") did not start within " + START_DEADLINE.toSeconds() + " s;"
          + " it printed:\n" + String.join("\n", output));
    }
    return new Azurite(process, url + "/" + ACCOUNT, output, workDir);
  }

  /** {@code http://127.0.0.1:<port>/devstoreaccount1} */
  String endpoint() {
    return endpoint;
  }

  /** {@code https://127.0.0.1:<port>}: accounts are path segments below it. */
  java.net.URI base() {
    return java.net.URI.create(endpoint.substring(0, endpoint.length() - ACCOUNT.length() - 1));
  }

  /** A client for the emulator's account, with its shared key and quick retries. */
  BlobServiceClient service() {
    return service(KEY);
  }

  /** A client that signs with {@code key} instead of the account's own (base64). */
  BlobServiceClient service(String key) {
    return new BlobServiceClientBuilder()
        .endpoint(endpoint)
        .credential(new StorageSharedKeyCredential(ACCOUNT, key))
        .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 2, 10, 100L, 100L, null))
        .buildClient();
  }

  @Override
  public void close() {
    stop(process);
    deleteTree(workDir);
  }

  private static void stop(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** The azurite-blob program, or a skip (outside CI) or failure (in CI) saying how to get it. */
  private static Path find() {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getenv("AZURITE_BLOB")).filter(s -> !s.isBlank())
        .map(Path::of).ifPresent(candidates::add);
    Path local = Path.of(".tools", "azurite", "node_modules", ".bin", "azurite-blob")
        .toAbsolutePath();
    candidates.add(local);
    Optional.ofNullable(System.getenv("PATH")).stream()
        .flatMap(p -> Stream.of(p.split(java.io.File.pathSeparator)))
        .filter(d -> !d.isBlank())
        .map(d -> Path.of(d, "azurite-blob"))
        .forEach(candidates::add);
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String why = "Azurite is not installed (looked at $AZURITE_BLOB, " + local
        + " and the PATH); run tools/install-azurite.sh";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why);
    }
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }

  /** What Azurite printed so far, for failure messages. */
  String output() {
    return String.join("\n", output);
  }
}
