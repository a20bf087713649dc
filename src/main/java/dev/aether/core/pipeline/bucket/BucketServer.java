package dev.aether.core.pipeline.bucket;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aether.core.AetherException;
import dev.aether.core.pipeline.coordinator.Protocol;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a project bucket that lives on this machine (a folder) over HTTP, to nodes that cannot
 * see this machine's files: SSH hosts reach it through the same SSH tunnel as the coordinator.
 * {@link HttpStorage} is its client. Every request carries the pipeline's token ({@code
 * Authorization: Bearer}); without it the answer is 401 and nothing is read or written.
 *
 * <p>Nodes read everything but write only what a job produces: {@code output/} and {@code
 * logs/}. So a node holding the token cannot replace the job script, the inputs or the ledger's
 * checkpoint that the next run resumes from.
 *
 * <pre>
 * GET    /v1/bucket/object?key=K     the object's bytes, 404 when there is none
 * PUT    /v1/bucket/object?key=K     stores the body (output/ and logs/ only, else 403)
 * DELETE /v1/bucket/object?key=K     deletes it (output/ and logs/ only)
 * GET    /v1/bucket/list?prefix=P    the keys under P, a JSON array of strings, sorted
 * </pre>
 */
public final class BucketServer implements AutoCloseable {
  static final String OBJECT = "/v1/bucket/object";
  static final String LIST = "/v1/bucket/list";
  private static final List<String> WRITABLE =
      List.of(BucketLayout.OUTPUT_PREFIX, BucketLayout.LOGS_PREFIX);

  private final Storage storage;
  private final Secret token;
  private final HttpServer server;
  private final ExecutorService threads;
  private final Path spool;

  private BucketServer(Storage storage, Secret token, HttpServer server, ExecutorService threads,
      Path spool) {
    this.storage = storage;
    this.token = token;
    this.server = server;
    this.threads = threads;
    this.spool = spool;
  }

  /**
   * Serves {@code storage} on {@code bind} (port 0 picks a free one); bind it to loopback, where
   * only this machine and the tunnels it opens reach it.
   */
  public static BucketServer start(Storage storage, Secret token, InetSocketAddress bind) {
    HttpServer server;
    Path spool;
    try {
      server = HttpServer.create(bind, 64);
      // Uploads land here first, whole, before they are stored: a cut connection stores nothing.
      spool = Files.createTempDirectory("aether-bucket-");
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot serve the bucket on " + bind + ": "
          + e.getMessage(), e);
    }
    ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "aether-bucket-http");
      t.setDaemon(true);
      return t;
    });
    BucketServer s = new BucketServer(storage, token, server, threads, spool);
    server.createContext("/", s::handle);
    server.setExecutor(threads);
    server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL on {@code host}, as {@link HttpStorage} takes it. */
  public URI uri(String host) {
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try (var left = Files.list(spool)) {
      for (Path p : left.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(spool);
    } catch (IOException e) {
      // A leftover spool file in the temporary folder harms nothing.
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!token.matchesBearer(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        text(exchange, 401, "missing or wrong token");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        if (path.equals(LIST) && method.equals("GET")) {
          String prefix = parameter(exchange, "prefix").orElse("");
          bytes(exchange, 200, "application/json",
              Protocol.JSON.writeValueAsBytes(storage.list(prefix)));
        } else if (path.equals(OBJECT)) {
          String key = parameter(exchange, "key")
              .orElseThrow(() -> new IllegalArgumentException("no key"));
          switch (method) {
            case "GET" -> get(exchange, key);
            case "PUT" -> put(exchange, writable(key));
            case "DELETE" -> {
              storage.delete(writable(key));
              exchange.sendResponseHeaders(204, -1);
            }
            default -> text(exchange, 405, "use GET, PUT or DELETE");
          }
        } else {
          text(exchange, 404, "no such endpoint");
        }
      } catch (Forbidden e) {
        text(exchange, 403, e.getMessage());
      } catch (IllegalArgumentException e) {
        text(exchange, 400, String.valueOf(e.getMessage()));
      } catch (UncheckedIOException | AetherException e) {
        text(exchange, 500, String.valueOf(e.getMessage()));
      }
    }
  }

  private void get(HttpExchange exchange, String key) throws IOException {
    Optional<Path> local = storage.localPath(key).filter(Files::isRegularFile);
    if (local.isPresent()) {
      // A folder bucket: stream the file rather than hold it in memory (data/ may be large).
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, Files.size(local.get()));
      try (OutputStream out = exchange.getResponseBody()) {
        Files.copy(local.get(), out);
      }
      return;
    }
    Optional<byte[]> bytes = storage.read(key);
    if (bytes.isEmpty()) {
      text(exchange, 404, "no such key");
      return;
    }
    bytes(exchange, 200, "application/octet-stream", bytes.get());
  }

  private void put(HttpExchange exchange, String key) throws IOException {
    Path part = Files.createTempFile(spool, "put-", ".part");
    try {
      try (InputStream in = exchange.getRequestBody()) {
        Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      storage.put(key, part);
    } finally {
      Files.deleteIfExists(part);
    }
    exchange.sendResponseHeaders(204, -1);
  }

  private static String writable(String key) {
    boolean climbs = List.of(key.split("/")).contains("..");
    if (climbs || WRITABLE.stream().noneMatch(key::startsWith)) {
      throw new Forbidden("nodes write only under " + String.join(" and ", WRITABLE)
          + ", not " + key);
    }
    return key;
  }

  private static Optional<String> parameter(HttpExchange exchange, String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return Optional.empty();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static void text(HttpExchange exchange, int status, String message) throws IOException {
    bytes(exchange, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static final class Forbidden extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Forbidden(String message) {
      super(message);
    }
  }
}
