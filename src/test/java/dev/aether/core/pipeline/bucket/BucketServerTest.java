package dev.aether.core.pipeline.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.providers.local.LocalStorage;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder bucket served over HTTP, and {@link HttpStorage} reading and writing it. */
class BucketServerTest {
  @TempDir Path dir;
  private LocalStorage folder;
  private Secret token;
  private BucketServer server;
  private HttpStorage bucket;

  @BeforeEach
  void serve() {
    folder = new LocalStorage(dir.resolve("bucket"));
    token = Secret.random();
    server = BucketServer.start(folder, token,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    bucket = new HttpStorage(server.uri("127.0.0.1"), token, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void nodesReadInputsAndWriteResultsThroughIt() throws Exception {
    folder.put("script/job.sh", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    folder.put("bin/tool", "tool".getBytes(StandardCharsets.UTF_8));
    folder.put("data/a b/ü.txt", "data".getBytes(StandardCharsets.UTF_8));

    Path script = dir.resolve("node/script/job.sh");
    assertThat(bucket.get("script/job.sh", script)).isTrue();
    assertThat(script).hasContent("#!/bin/sh\necho hi");
    assertThat(bucket.read("data/a b/ü.txt")).hasValueSatisfying(
        b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("data"));
    assertThat(bucket.list("")).containsExactly("bin/tool", "data/a b/ü.txt", "script/job.sh");
    assertThat(bucket.list("data/")).containsExactly("data/a b/ü.txt");
    assertThat(bucket.read("script/none")).isEmpty();
    assertThat(bucket.get("script/none", dir.resolve("none"))).isFalse();
    assertThat(dir.resolve("none")).doesNotExist();

    Path log = Files.writeString(dir.resolve("1.log"), "job 1\n");
    bucket.put("logs/1.log", log);
    bucket.put("output/r/1.txt", "result".getBytes(StandardCharsets.UTF_8));
    assertThat(dir.resolve("bucket/logs/1.log")).hasContent("job 1");
    assertThat(dir.resolve("bucket/output/r/1.txt")).hasContent("result");
    bucket.delete("output/r/1.txt");
    assertThat(dir.resolve("bucket/output/r/1.txt")).doesNotExist();
  }

  @Test
  void streamsLargeFilesBothWays() throws Exception {
    byte[] big = new byte[24 << 20];
    new SecureRandom().nextBytes(big);
    Path source = Files.write(dir.resolve("big.bin"), big);

    bucket.put("output/big.bin", source);
    assertThat(Files.readAllBytes(dir.resolve("bucket/output/big.bin"))).isEqualTo(big);
    Path back = dir.resolve("back/big.bin");
    assertThat(bucket.get("output/big.bin", back)).isTrue();
    assertThat(Files.readAllBytes(back)).isEqualTo(big);
  }

  @Test
  void nodesCannotReplaceInputsOrTheLedgerOrLeaveTheBucket() {
    folder.put("script/job.sh", "original".getBytes(StandardCharsets.UTF_8));
    for (String key : List.of("script/job.sh", "state/ledger.db", "args.txt", "bin/tool",
        "output/../script/job.sh", "logs/../../escape")) {
      assertThatThrownBy(() -> bucket.put(key, "x".getBytes(StandardCharsets.UTF_8)))
          .as(key).isInstanceOf(UncheckedIOException.class).hasMessageContaining("403");
    }
    assertThat(dir.resolve("bucket/script/job.sh")).hasContent("original");
    assertThatThrownBy(() -> bucket.read("../outside")).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("400");
  }

  @Test
  void refusesEveryRequestWithoutTheTokenAndChangesNothing() throws Exception {
    folder.put("script/job.sh", "secret script".getBytes(StandardCharsets.UTF_8));
    HttpStorage stranger = new HttpStorage(server.uri("127.0.0.1"), Secret.random(),
        Duration.ofSeconds(10));
    assertThatThrownBy(() -> stranger.read("script/job.sh")).hasMessageContaining("401");
    assertThatThrownBy(() -> stranger.list("")).hasMessageContaining("401");
    assertThatThrownBy(() -> stranger.put("output/x", new byte[] {1}))
        .hasMessageContaining("401");
    HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.uri("127.0.0.1") + "/v1/bucket/object?key=script/job.sh")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).doesNotContain("secret script");
    assertThat(dir.resolve("bucket/output")).doesNotExist();
  }
}
