package dev.aether.core.pipeline.bucket;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.aether.core.pipeline.coordinator.Protocol;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.spi.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A project bucket reached over HTTP from a {@link BucketServer}: what a node uses when the
 * bucket is a folder on another machine (the launcher of an SSH batch). Files stream both ways;
 * a download lands beside its target and is moved into place only once complete.
 */
public final class HttpStorage implements Storage {
  private static final TypeReference<List<String>> KEYS = new TypeReference<>() {};

  private final URI base;
  private final Secret token;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param base the server's base URL, e.g. {@code http://127.0.0.1:40123}
   * @param timeout how long connecting, and a request other than an upload, may wait for an
   *     answer (a download's body then streams without a limit)
   */
  public HttpStorage(URI base, Secret token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    // HTTP/1.1: the JDK's server does not speak HTTP/2.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout).build();
  }

  @Override
  public String location() {
    return base.toString();
  }

  @Override
  public void put(String key, Path source) {
    try {
      send(request(BucketServer.OBJECT, "key", key)
          .PUT(HttpRequest.BodyPublishers.ofFile(source)), HttpResponse.BodyHandlers.discarding(),
          "store " + key);
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
  }

  @Override
  public void put(String key, byte[] content) {
    send(request(BucketServer.OBJECT, "key", key)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)),
        HttpResponse.BodyHandlers.discarding(), "store " + key);
  }

  @Override
  public void delete(String key) {
    send(timed(request(BucketServer.OBJECT, "key", key)).DELETE(),
        HttpResponse.BodyHandlers.discarding(), "delete " + key);
  }

  @Override
  public Optional<byte[]> read(String key) {
    HttpResponse<byte[]> r = call(timed(request(BucketServer.OBJECT, "key", key)).GET(),
        HttpResponse.BodyHandlers.ofByteArray(), "read " + key);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    check(r.statusCode(), "read " + key, new String(r.body(), StandardCharsets.UTF_8));
    return Optional.of(r.body());
  }

  @Override
  public boolean get(String key, Path target) {
    HttpResponse<InputStream> r = call(timed(request(BucketServer.OBJECT, "key", key)).GET(),
        HttpResponse.BodyHandlers.ofInputStream(), "read " + key);
    try (InputStream body = r.body()) {
      if (r.statusCode() == 404) {
        return false;
      }
      if (r.statusCode() / 100 != 2) {
        check(r.statusCode(), "read " + key, new String(body.readNBytes(500),
            StandardCharsets.UTF_8));
      }
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path part = Files.createTempFile(parent, ".get-", ".part");
      try {
        Files.copy(body, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + key + " from " + base + " into " + target,
          e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    HttpResponse<byte[]> r = send(timed(request(BucketServer.LIST, "prefix", prefix)).GET(),
        HttpResponse.BodyHandlers.ofByteArray(), "list " + prefix);
    try {
      return Protocol.JSON.readValue(r.body(), KEYS);
    } catch (IOException e) {
      throw new UncheckedIOException("the bucket at " + base + " sent a list that is not JSON", e);
    }
  }

  private HttpRequest.Builder request(String path, String name, String value) {
    return HttpRequest.newBuilder(base.resolve(path + "?" + name + "="
            + URLEncoder.encode(value, StandardCharsets.UTF_8)))
        .header("Authorization", token.bearer());
  }

  // The answer to an upload comes once the whole body is sent: a large output on a slow link
  // takes longer than any answer should, so uploads wait without a limit (the connect is bounded).
  private HttpRequest.Builder timed(HttpRequest.Builder request) {
    return request.timeout(timeout);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body,
      String what) {
    HttpResponse<T> r = call(request, body, what);
    if (r.statusCode() / 100 != 2) {
      Object b = r.body();
      check(r.statusCode(), what, b instanceof byte[] bytes
          ? new String(bytes, StandardCharsets.UTF_8) : "");
    }
    return r;
  }

  private <T> HttpResponse<T> call(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body,
      String what) {
    try {
      return http.send(request.build(), body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot " + what + " at the bucket " + base + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while trying to " + what, e));
    }
  }

  private void check(int status, String what, String message) {
    if (status / 100 != 2) {
      throw new UncheckedIOException(new IOException("the bucket at " + base + " answered "
          + status + " to " + what + ": " + message.strip()));
    }
  }
}
