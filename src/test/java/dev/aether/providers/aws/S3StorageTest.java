package dev.aether.providers.aws;

import dev.aether.core.project.ProjectName;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.aether.core.AetherException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

/** Against S3Mock, an S3 server that runs inside the test JVM. */
class S3StorageTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  @TempDir Path tmp;

  /** S3Mock, with the bucket settings it lacks and us-east-1's CreateBucket answer in front. */
  private static S3Front front;

  @BeforeAll
  static void startFront() throws Exception {
    front = new S3Front(URI.create(S3.getServiceEndpoint()));
  }

  @AfterAll
  static void stopFront() {
    front.close();
    assertThat(front.unexpected).isEmpty();
  }

  private static AwsClients clients() {
    return AwsStubs.clientsFor(front.endpoint());
  }

  private static S3Storage open(String project) {
    return S3Storage.open(clients(), project);
  }

  private static long creates(String bucket) {
    return front.createBucketCalls.stream().filter(bucket::equals).count();
  }

  @Test
  void createsTheProjectBucket() {
    try (S3Storage storage = open("aether-create-test"); S3Client raw = clients().s3()) {
      assertThat(storage.location()).isEqualTo("s3://aether-create-test");
      assertThat(raw.listBuckets().buckets()).anyMatch(b -> b.name().equals("aether-create-test"));
    }
  }

  @Test
  void tagsANewBucketInItsCreationAndMakesItPrivateAndEncrypted() {
    String name = "aether-tagged-" + System.nanoTime();
    open(name).close();

    assertThat(front.tags(name)).containsEntry("aether:project", name);
    String block = front.settings.get(name).get("publicAccessBlock");
    assertThat(block).contains("<BlockPublicAcls>true</BlockPublicAcls>")
        .contains("<IgnorePublicAcls>true</IgnorePublicAcls>")
        .contains("<BlockPublicPolicy>true</BlockPublicPolicy>")
        .contains("<RestrictPublicBuckets>true</RestrictPublicBuckets>");
    assertThat(front.settings.get(name).get("encryption")).contains("<SSEAlgorithm>AES256");
    try (S3Client raw = clients().s3()) {
      assertThat(raw.getObjectAsBytes(b -> b.bucket(name).key("state/project")).asUtf8String())
          .isEqualTo(name);
    }
  }

  /**
   * In us-east-1 CreateBucket answers 200 for a bucket the caller already owns: the bucket must
   * be recognised (HeadBucket, then its tag) before anything is "created" or written.
   */
  @Test
  void recognisesAnotherProjectsBucketWithoutCreatingOrWritingAnything() {
    String name = "aether-other-" + System.nanoTime();
    try (S3Client raw = clients().s3()) {
      raw.createBucket(b -> b.bucket(name).createBucketConfiguration(c -> c.tags(
          software.amazon.awssdk.services.s3.model.Tag.builder().key("aether:project")
              .value("someone-else").build())));
    }

    assertThatThrownBy(() -> open(name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("it belongs to project 'someone-else'")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(creates(name)).as("CreateBucket calls").isEqualTo(1); // the test's own
    try (S3Client raw = clients().s3()) {
      assertThat(raw.listObjectsV2(b -> b.bucket(name)).contents()).isEmpty();
    }
  }

  @Test
  void aBucketInAnotherRegionSaysWhichAndCreatesNothing() {
    String name = "aether-region-" + System.nanoTime();
    open(name).close();
    AwsClients eu = new AwsClients("eu-west-1", java.util.Optional.of(front.endpoint()),
        clients().credentials(), clients().retries());

    assertThatThrownBy(() -> S3Storage.open(eu, name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("is in us-east-1, not eu-west-1; run with -R us-east-1");
    assertThat(creates(name)).isEqualTo(1);
  }

  @Test
  void refusesABucketOfThisAccountThatIsNotTheProjects() {
    String name = "aether-someone-elses-" + System.nanoTime(); // S3Mock keeps buckets between runs
    try (S3Client raw = clients().s3()) {
      raw.createBucket(b -> b.bucket(name));
      raw.putObject(b -> b.bucket(name).key("thesis.pdf"),
          software.amazon.awssdk.core.sync.RequestBody.fromString("mine"));
    }
    assertThatThrownBy(() -> open(name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("is not this Aether project's")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void claimsAnEmptyBucketOfThisAccount() {
    String name = "aether-empty-" + System.nanoTime();
    try (S3Client raw = clients().s3()) {
      raw.createBucket(b -> b.bucket(name));
    }
    try (S3Storage storage = open(name)) {
      assertThat(storage.read("state/project")).map(b -> new String(b, StandardCharsets.UTF_8))
          .contains(name);
    }
    assertThat(front.tags(name)).containsEntry("aether:project", name);
    assertThat(front.settings.get(name)).containsKeys("publicAccessBlock", "encryption");
    assertThat(creates(name)).isEqualTo(1); // the test's own
  }

  @Test
  void deletesObjects() {
    try (S3Storage storage = open("aether-delete")) {
      storage.put("secrets/pipeline-token", new byte[] {1});
      storage.delete("secrets/pipeline-token");
      storage.delete("secrets/pipeline-token");
      assertThat(storage.read("secrets/pipeline-token")).isEmpty();
    }
  }

  @Test
  void opensTheSameProjectTwice() {
    open("aether-twice").close();
    try (S3Storage again = open("aether-twice")) {
      again.put("args.txt", "a\n".getBytes(StandardCharsets.UTF_8));
      assertThat(again.read("args.txt")).isPresent();
    }
    assertThat(creates("aether-twice")).as("the second open recognised it").isEqualTo(1);
  }

  @Test
  void putsReadsAndGetsObjects() throws Exception {
    Path file = Files.writeString(tmp.resolve("prov.psv"), "c4.large|2|3.75|false|true\n");
    try (S3Storage storage = open("aether-objects")) {
      storage.put("prov.psv", file);
      storage.put("args.txt", "x\ny\n".getBytes(StandardCharsets.UTF_8));
      storage.put("args.txt", "z\n".getBytes(StandardCharsets.UTF_8)); // replaces

      assertThat(storage.read("args.txt")).map(b -> new String(b, StandardCharsets.UTF_8)).contains("z\n");
      assertThat(storage.read("nothing-here")).isEqualTo(Optional.empty());

      Path target = tmp.resolve("down/prov.psv");
      assertThat(storage.get("prov.psv", target)).isTrue();
      assertThat(Files.readString(target)).isEqualTo("c4.large|2|3.75|false|true\n");
      assertThat(storage.get("prov.psv", target)).isTrue(); // overwrites
      assertThat(storage.get("missing", tmp.resolve("down/missing"))).isFalse();
      assertThat(tmp.resolve("down/missing")).doesNotExist();
    }
  }

  @Test
  void listsEveryPageSortedUnderAPrefix() {
    try (S3Storage storage = open("aether-list")) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        String key = String.format("output/%04d.txt", i);
        storage.put(key, new byte[] {1});
        expected.add(key);
      }
      storage.put("logs/a.log", new byte[] {2});

      assertThat(storage.list("output/")).containsExactlyElementsOf(expected);
      // three pages of ListObjectsV2
      assertThat(storage.list("output/", 3)).containsExactlyElementsOf(expected);
      assertThat(storage.list("logs/")).containsExactly("logs/a.log");
      assertThat(storage.list("secrets/")).isEmpty();
    }
  }

  @Test
  void uploadsAFolderWithTheTransferManager() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin/sub"));
    Files.writeString(tmp.resolve("bin/run.sh"), "#!/bin/sh\necho hi\n");
    Files.write(bin.resolve("big.dat"), new byte[9 * 1024 * 1024]); // multipart
    try (S3Storage storage = open("aether-folder")) {
      java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
      storage.putFolder("bin/", tmp.resolve("bin"), sent::addAndGet);

      assertThat(sent.get()).isEqualTo(9 * 1024 * 1024 + Files.size(tmp.resolve("bin/run.sh")));

      assertThat(storage.list("bin/")).containsExactly("bin/run.sh", "bin/sub/big.dat");
      assertThat(storage.read("bin/sub/big.dat")).get().extracting(b -> b.length)
          .isEqualTo(9 * 1024 * 1024);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "My-Project", "my_project", "-project", "project-", "my..project",
      "192.168.1.1", "xn--project", "sthree-x", "project-s3alias", "project--ol-s3", "a b c",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void rejectsNamesThatCannotBeBucketsBeforeAnyCall(String name) {
    // the endpoint is closed: a call would fail with a different error
    AwsClients nowhere = clients().withEndpoint(URI.create("http://127.0.0.1:9"));
    assertThatThrownBy(() -> S3Storage.open(nowhere, name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("'" + name + "'")
        .hasMessageContaining("-N/--name")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "my-project", "my-project-2026", "a23456789012345678901234567890123456789012345678901234567890123"})
  void acceptsValidBucketNames(String name) {
    assertThat(ProjectName.problem(name)).isEmpty();
  }

  @Test
  void aBucketOwnedByAnotherAccountIsInvalidInput() {
    front.otherAccounts.add("taken-name"); // HeadBucket answers 403, as for a stranger's bucket

    assertThatThrownBy(() -> open("taken-name"))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("belongs to another AWS account")
        .hasMessageContaining("-N")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(creates("taken-name")).isZero();
  }
}
