package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import dev.aether.core.AetherException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Against a real Azurite (Microsoft's Azure Storage emulator) on loopback, started for the class. */
class BlobStorageTest {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static Azurite azurite;
  private static BlobServiceClient service;

  @TempDir Path tmp;

  @BeforeAll
  static void startAzurite() throws Exception {
    azurite = Azurite.start();
    service = azurite.service();
  }

  @AfterAll
  static void stopAzurite() {
    if (azurite != null) {
      azurite.close();
    }
  }

  /** A container name no other test in this class uses. */
  private static String fresh(String stem) {
    return stem + "-" + NAMES.incrementAndGet();
  }

  @Test
  void createsTheProjectContainerMarkedWithTheProject() {
    String name = fresh("aether-create");
    BlobStorage storage = BlobStorage.open(service, name);

    assertThat(storage.location()).isEqualTo(azurite.endpoint() + "/" + name);
    BlobContainerClient raw = service.getBlobContainerClient(name);
    assertThat(raw.exists()).isTrue();
    assertThat(raw.getProperties().getMetadata())
        .containsEntry(BlobStorage.PROJECT_METADATA, name);
  }

  @Test
  void storesReadsAndListsKeysWithSlashes() throws Exception {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-keys"));
    Path script = Files.writeString(tmp.resolve("run.sh"), "#!/bin/sh\necho hi\n");
    storage.put("script/run.sh", script);
    storage.put("args.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8));
    storage.put("output/2/result.txt", "two".getBytes(StandardCharsets.UTF_8));
    storage.put("output/10/result.txt", "ten".getBytes(StandardCharsets.UTF_8));

    assertThat(storage.read("args.txt")).hasValueSatisfying(
        b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("a\nb\n"));
    assertThat(storage.read("script/run.sh")).hasValueSatisfying(
        b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\necho hi\n"));
    assertThat(storage.list("output/"))
        .containsExactly("output/10/result.txt", "output/2/result.txt");
    assertThat(storage.list("")).containsExactly(
        "args.txt", "output/10/result.txt", "output/2/result.txt", "script/run.sh");
  }

  @Test
  void putReplacesWhatWasThere() {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-replace"));
    storage.put("state/x", "old".getBytes(StandardCharsets.UTF_8));
    storage.put("state/x", "new".getBytes(StandardCharsets.UTF_8));

    assertThat(storage.read("state/x")).hasValueSatisfying(
        b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("new"));
  }

  @Test
  void listsEveryPage() {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-pages"));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      keys.add("logs/job-" + i + ".log");
      storage.put("logs/job-" + i + ".log", new byte[] {(byte) i});
    }

    assertThat(storage.list("logs/", 3)).containsExactlyElementsOf(keys);
  }

  @Test
  void getCopiesTheBlobIntoNewFolders() throws Exception {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-get"));
    byte[] big = new byte[3 * 1024 * 1024 + 17]; // more than one block
    new java.util.Random(7).nextBytes(big);
    storage.put("data/reads.fq", big);
    Path target = tmp.resolve("work/data/reads.fq");

    assertThat(storage.get("data/reads.fq", target)).isTrue();
    assertThat(Files.readAllBytes(target)).isEqualTo(big);
  }

  @Test
  void missingKeysAreEmptyNotErrors() throws Exception {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-missing"));
    Path target = tmp.resolve("out/none.txt");

    assertThat(storage.read("no/such/key")).isEmpty();
    assertThat(storage.get("no/such/key", target)).isFalse();
    assertThat(target).doesNotExist();
    try (var left = Files.list(tmp.resolve("out"))) {
      assertThat(left).as("no .part file left behind").isEmpty();
    }
    assertThat(storage.list("no/")).isEmpty();
    storage.delete("no/such/key");
  }

  @Test
  void deleteRemovesTheKey() {
    BlobStorage storage = BlobStorage.open(service, fresh("aether-delete"));
    storage.put("state/lease", new byte[] {1});
    storage.put("state/other", new byte[] {2});

    storage.delete("state/lease");

    assertThat(storage.read("state/lease")).isEmpty();
    assertThat(storage.list("state/")).containsExactly("state/other");
  }

  @Test
  void aSecondRunOfTheSameProjectKeepsItsBlobs() {
    String name = fresh("aether-again");
    BlobStorage.open(service, name).put("args.txt", "x".getBytes(StandardCharsets.UTF_8));

    BlobStorage again = BlobStorage.open(service, name);

    assertThat(again.list("")).containsExactly("args.txt");
  }

  @Test
  void claimsAnEmptyUnmarkedContainer() {
    String name = fresh("aether-empty");
    service.createBlobContainer(name);

    BlobStorage.open(service, name);

    assertThat(service.getBlobContainerClient(name).getProperties().getMetadata())
        .containsEntry(BlobStorage.PROJECT_METADATA, name);
  }

  @Test
  void refusesAContainerOfAnotherProject() {
    String name = fresh("aether-theirs");
    service.getBlobContainerClient(name)
        .createWithResponse(Map.of(BlobStorage.PROJECT_METADATA, "someone-else"), null, null, null);

    assertThatThrownBy(() -> BlobStorage.open(service, name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("is not this Aether project's (it belongs to project 'someone-else')")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void refusesAnUnmarkedContainerThatHoldsBlobs() {
    String name = fresh("aether-thesis");
    BlobContainerClient raw = service.createBlobContainer(name);
    raw.getBlobClient("thesis.pdf").upload(BinaryData.fromString("mine"));

    assertThatThrownBy(() -> BlobStorage.open(service, name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("it holds blobs and has no aether_project metadata")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(raw.getProperties().getMetadata()).doesNotContainKey(BlobStorage.PROJECT_METADATA);
    assertThat(raw.getBlobClient("thesis.pdf").downloadContent().toString()).isEqualTo("mine");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ab", "My-Project", "my.project", "my_project", "-project", "project-",
      "my--project"})
  void refusesANameThatCannotBeAContainerBeforeAnyCall(String name) {
    // The one project-name rule (ProjectName) admits only names Azure takes as containers.
    assertThatThrownBy(() -> BlobStorage.open(service, name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("-N/--name: '" + name + "'")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(service.listBlobContainers().stream().map(c -> c.getName()))
        .doesNotContain(name);
  }

  @Test
  void acceptsTheLongestName() {
    String name = "a" + "-b".repeat(31); // 63 characters
    assertThat(BlobStorage.open(service, name).containerName()).isEqualTo(name);
  }

  @Test
  void aWrongKeyFailsNamingTheProblemAndNotTheKey() {
    String wrongKey = Base64.getEncoder().encodeToString(
        "not the account key, 64 bytes long.............................".getBytes(
            StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> BlobStorage.open(azurite.service(wrongKey), fresh("aether-key")))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("Failed creating the container")
        .hasMessageContaining("HTTP 403")
        .hasMessageNotContaining(wrongKey)
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.ERROR);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ab", "aetherStorage", "aether-storage", "aetherstorage123456789012"})
  void refusesAStorageAccountNameAzureWouldRefuse(String account) {
    assertThatThrownBy(() -> StorageNames.account(account))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("3 to 24 lower-case letters and digits");
  }

  @Test
  void theRealServiceAddressIsTheAccountsBlobEndpoint() {
    BlobServiceClient real = BlobStorage.service("aetherdemo", request -> {
      throw new AssertionError("no token is asked for without a request");
    });
    assertThat(BlobStorage.existing(real, "my-project").location())
        .isEqualTo("https://aetherdemo.blob.core.windows.net/my-project");
  }
}
