package dev.aether.providers.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What S3Mock lacks, in front of it: the bucket settings Aether sets on a new bucket (tags,
 * Block Public Access, default encryption), which S3Mock takes for a second CreateBucket, and
 * us-east-1's answer to CreateBucket on a bucket the caller already owns (200, not an error: the
 * reason a bucket must be recognised before it is "created"). Buckets of another account answer
 * 403 to anything. Every other request goes to S3Mock unchanged. Unknown bucket sub-resources are
 * refused loudly (501) rather than passed on.
 */
final class S3Front implements AutoCloseable {
  /** Bucket sub-resources kept here; others S3Mock serves or this refuses. */
  private static final Set<String> SETTINGS = Set.of("tagging", "publicAccessBlock", "encryption");
  private static final Set<String> SERVED_BY_S3MOCK = Set.of("list-type", "location",
      "versioning", "delete", "uploads", "uploadId", "partNumber", "prefix", "max-keys",
      "continuation-token", "encoding-type", "delimiter", "start-after", "x-id");
  private static final Set<String> HOP = Set.of("host", "content-length", "connection", "expect",
      "upgrade", "transfer-encoding", "keep-alive");
  private static final Pattern TAG = Pattern.compile(
      "<Tag><Key>([^<]*)</Key><Value>([^<]*)</Value></Tag>");

  private final URI s3mock;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .build();
  /** Per bucket, per setting: the XML last put. */
  final Map<String, Map<String, String>> settings = new ConcurrentHashMap<>();
  final Set<String> otherAccounts = ConcurrentHashMap.newKeySet();
  final List<String> createBucketCalls = new CopyOnWriteArrayList<>();
  final List<String> unexpected = new CopyOnWriteArrayList<>();

  S3Front(URI s3mock) throws IOException {
    this.s3mock = s3mock;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The bucket's tags as this front holds them (set at creation or by PutBucketTagging). */
  Map<String, String> tags(String bucket) {
    String xml = settings.getOrDefault(bucket, Map.of()).getOrDefault("tagging", "");
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    Matcher m = TAG.matcher(xml.replaceAll(">\\s+<", "><"));
    while (m.find()) {
      tags.put(m.group(1), m.group(2));
    }
    return tags;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      String[] segments = path.replaceAll("^/+", "").split("/", 2);
      String bucket = segments[0];
      boolean bucketLevel = segments.length == 1 || segments[1].isEmpty();
      byte[] body = ex.getRequestBody().readAllBytes();
      if (otherAccounts.contains(bucket)) {
        reply(ex, 403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
        return;
      }
      String sub = query == null ? "" : query.split("[=&]", 2)[0];
      if (bucketLevel && SETTINGS.contains(sub)) {
        setting(ex, bucket, sub, body);
        return;
      }
      if (bucketLevel && !sub.isEmpty() && !SERVED_BY_S3MOCK.contains(sub)) {
        unexpected.add(ex.getRequestMethod() + " ?" + sub);
        reply(ex, 501, "<Error><Code>NotImplemented</Code><Message>" + sub + " is not known to"
            + " the test's S3</Message></Error>");
        return;
      }
      if (bucketLevel && sub.isEmpty() && ex.getRequestMethod().equals("PUT")) {
        createBucketCalls.add(bucket);
        if (exists(bucket)) {
          reply(ex, 200, ""); // us-east-1: "created" again, no error, for the bucket's owner
          return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.contains("<Tags>")) {
          settings.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>()).put("tagging", text);
        }
      }
      forward(ex, body);
    }
  }

  private boolean exists(String bucket) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(s3mock.resolve("/" + bucket))
              .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void setting(HttpExchange ex, String bucket, String sub, byte[] body)
      throws IOException {
    if (!exists(bucket)) {
      reply(ex, 404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not"
          + " exist</Message></Error>");
      return;
    }
    Map<String, String> of = settings.computeIfAbsent(bucket, b -> new ConcurrentHashMap<>());
    switch (ex.getRequestMethod()) {
      case "PUT" -> {
        of.put(sub, new String(body, StandardCharsets.UTF_8));
        reply(ex, sub.equals("tagging") ? 204 : 200, "");
      }
      case "DELETE" -> {
        of.remove(sub);
        reply(ex, 204, "");
      }
      case "GET" -> {
        String xml = of.get(sub);
        if (xml == null) {
          String code = switch (sub) {
            case "tagging" -> "NoSuchTagSet";
            case "publicAccessBlock" -> "NoSuchPublicAccessBlockConfiguration";
            default -> "ServerSideEncryptionConfigurationNotFoundError";
          };
          reply(ex, 404, "<Error><Code>" + code + "</Code><Message>none</Message></Error>");
        } else {
          reply(ex, 200, sub.equals("tagging") && !xml.contains("<Tagging")
              ? "<Tagging><TagSet>" + xml.replaceAll("(?s).*<Tags>(.*)</Tags>.*", "$1")
                  + "</TagSet></Tagging>" : xml);
        }
      }
      default -> reply(ex, 405, "<Error><Code>MethodNotAllowed</Code></Error>");
    }
  }

  private void forward(HttpExchange ex, byte[] body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(s3mock.resolve(ex.getRequestURI().getRawPath()
            + (ex.getRequestURI().getRawQuery() == null ? "" : "?"
            + ex.getRequestURI().getRawQuery())))
        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders().forEach((name, values) -> {
      if (!HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        values.forEach(v -> b.header(name, v));
      }
    });
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    r.headers().map().forEach((name, values) -> {
      if (!HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.equals(":status")) {
        values.forEach(v -> ex.getResponseHeaders().add(name, v));
      }
    });
    byte[] out = r.body();
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(r.statusCode(), head || out.length == 0 ? -1 : out.length);
    if (!head && out.length > 0) {
      ex.getResponseBody().write(out);
    }
  }

  private static void reply(HttpExchange ex, int status, String xml) throws IOException {
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/xml");
    boolean none = bytes.length == 0 || ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, none ? -1 : bytes.length);
    if (!none) {
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
