package dev.aether.providers.azure;

import dev.aether.core.project.ProjectName;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.AzureException;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.aether.core.AetherException;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The project bucket on Azure: a Blob container named after the project in a storage account,
 * marked with the container metadata {@code aether_project=<name>} (Azure metadata names are
 * C#-style identifiers, so not S3Storage's {@code aether:project}). Keys are blob names with
 * {@code /} separators, as in S3.
 *
 * <p>Credentials are whatever the {@link BlobServiceClient} was built with:
 * DefaultAzureCredential (az login, environment, managed identity) in real use, which needs the
 * "Storage Blob Data Contributor" role on the account; a shared key in tests (Azurite's). Neither
 * is ever logged or put in a message here.
 */
final class BlobStorage implements Storage {
  /** The container metadata naming the project that owns the container. */
  static final String PROJECT_METADATA = "aether_project";

  private final BlobContainerClient container;

  BlobStorage(BlobContainerClient container) {
    this.container = container;
  }

  /** A client for {@code https://<account>.blob.core.windows.net} with {@code credential}. */
  static BlobServiceClient service(String account, TokenCredential credential) {
    return service("https://" + StorageNames.account(account) + ".blob.core.windows.net",
        credential, Optional.empty());
  }

  /**
   * A client for the Blob service at {@code endpoint} with {@code credential}, on {@code http}
   * when given (tests trust their own certificate), else the SDK's default HTTP client.
   */
  static BlobServiceClient service(String endpoint, TokenCredential credential,
      Optional<com.azure.core.http.HttpClient> http) {
    BlobServiceClientBuilder b = new BlobServiceClientBuilder().endpoint(endpoint)
        .credential(credential);
    http.ifPresent(b::httpClient);
    return b.buildClient();
  }

  /**
   * The project's container in the account of {@code service}, made (and marked) when it does not
   * exist yet. The name is checked against Azure's rules before any call.
   *
   * @throws AetherException exit 2 when the name is not a valid container name, or the container
   *     exists and is not this project's
   */
  static BlobStorage open(BlobServiceClient service, String project) {
    BlobStorage storage = new BlobStorage(
        service.getBlobContainerClient(ProjectName.check(project)));
    storage.create(project);
    return storage;
  }

  /** The container of a project that exists already (on nodes, and for {@code aether down}). */
  static BlobStorage existing(BlobServiceClient service, String container) {
    return new BlobStorage(service.getBlobContainerClient(ProjectName.check(container)));
  }

  private void create(String project) {
    // Marked in the same call, so there is never an unmarked project container. See
    // https://learn.microsoft.com/rest/api/storageservices/create-container
    try {
      container.createWithResponse(Map.of(PROJECT_METADATA, project), null, null, null);
    } catch (BlobStorageException e) {
      if (!BlobErrorCode.CONTAINER_ALREADY_EXISTS.equals(e.getErrorCode())) {
        throw translate("creating the container " + location(), e);
      }
      claim(project);
    } catch (AzureException | UncheckedIOException e) {
      throw translate("creating the container " + location(), e);
    }
  }

  /**
   * An existing container is used only when its metadata names this project, or when it is empty
   * and unmarked (then it is claimed): never write into another project's or someone's own
   * container.
   */
  private void claim(String project) {
    Optional<String> owner;
    try {
      owner = container.getProperties().getMetadata().entrySet().stream()
          .filter(m -> m.getKey().equalsIgnoreCase(PROJECT_METADATA))
          .map(Map.Entry::getValue).findFirst();
    } catch (AzureException | UncheckedIOException e) {
      throw translate("reading the metadata of " + location(), e);
    }
    if (owner.isPresent() && owner.get().equals(project)) {
      return;
    }
    if (owner.isEmpty() && list("", 1).isEmpty()) {
      try {
        container.setMetadata(Map.of(PROJECT_METADATA, project));
      } catch (AzureException | UncheckedIOException e) {
        throw translate("marking " + location() + " as project " + project, e);
      }
      return;
    }
    throw AetherException.invalidInput("-N/--name: the container " + location() + " exists in"
        + " this storage account but is not this Aether project's ("
        + owner.map(o -> "it belongs to project '" + o + "'")
            .orElse("it holds blobs and has no " + PROJECT_METADATA + " metadata")
        + "); choose another project name with -N.");
  }

  /** {@code https://<account>.blob.core.windows.net/<container>}, or the emulator's URL. */
  @Override
  public String location() {
    return container.getBlobContainerUrl();
  }

  String containerName() {
    return container.getBlobContainerName();
  }

  @Override
  public void put(String key, Path source) {
    try {
      blob(key).uploadFromFile(source.toString(), true);
    } catch (AzureException | UncheckedIOException e) {
      throw translate("uploading " + source + " to " + uri(key), e);
    }
  }

  @Override
  public void put(String key, byte[] content) {
    try {
      blob(key).upload(BinaryData.fromBytes(content), true);
    } catch (AzureException | UncheckedIOException e) {
      throw translate("writing " + uri(key), e);
    }
  }

  @Override
  public Optional<byte[]> read(String key) {
    try {
      return Optional.of(blob(key).downloadContent().toBytes());
    } catch (BlobStorageException e) {
      if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
        return Optional.empty();
      }
      throw translate("reading " + uri(key), e);
    } catch (AzureException | UncheckedIOException e) {
      throw translate("reading " + uri(key), e);
    }
  }

  @Override
  public boolean get(String key, Path target) {
    Path tmp = null;
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      // into a temporary file beside the target, so a failed download leaves no partial target
      tmp = Files.createTempFile(dir, ".aether-", ".part");
      blob(key).downloadToFile(tmp.toString(), true);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (BlobStorageException e) {
      if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
        return false;
      }
      throw translate("downloading " + uri(key) + " to " + target, e);
    } catch (AzureException | UncheckedIOException e) {
      throw translate("downloading " + uri(key) + " to " + target, e);
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "Failed downloading " + uri(key) + " to " + target + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public List<String> list(String prefix) {
    return list(prefix, 5000);
  }

  /** As {@link #list(String)}, asking for {@code pageSize} names a request (Azure's most: 5000). */
  List<String> list(String prefix, int pageSize) {
    try {
      return container.listBlobs(
              new ListBlobsOptions().setPrefix(prefix).setMaxResultsPerPage(pageSize), null)
          .stream()
          .map(BlobItem::getName)
          .sorted()
          .toList();
    } catch (AzureException | UncheckedIOException e) {
      throw translate("listing " + uri(prefix), e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      blob(key).deleteIfExists();
    } catch (BlobStorageException e) {
      if (!BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) { // no container, no blob
        throw translate("deleting " + uri(key), e);
      }
    } catch (AzureException | UncheckedIOException e) {
      throw translate("deleting " + uri(key), e);
    }
  }

  private BlobClient blob(String key) {
    return container.getBlobClient(key);
  }

  private String uri(String key) {
    return location() + "/" + key;
  }

  /**
   * One message per failure, naming what was tried, Azure's error code and, for the usual
   * permission and login problems, what to do. See
   * https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes
   */
  static AetherException translate(String what, RuntimeException e) {
    if (e instanceof BlobStorageException b) {
      String code = b.getErrorCode() == null ? "" : b.getErrorCode().toString();
      String hint = switch (code) {
        case "AuthorizationPermissionMismatch", "AuthorizationFailure" ->
            ": grant your identity the role 'Storage Blob Data Contributor' on the storage"
                + " account (az role assignment create --role 'Storage Blob Data Contributor' ...)";
        case "AuthenticationFailed", "InvalidAuthenticationInfo" ->
            ": Azure did not accept the credentials; run az login again";
        case "ContainerNotFound" -> ": the project's container does not exist (deleted?)";
        case "ContainerBeingDeleted" -> ": the container is being deleted; try again in a minute";
        default -> "";
      };
      return new AetherException(AetherException.ERROR, "Failed " + what + ": HTTP "
          + b.getStatusCode() + (code.isEmpty() ? "" : " " + code) + hint, e);
    }
    if (e instanceof ClientAuthenticationException) {
      return new AetherException(AetherException.ERROR, "Failed " + what + ": no Azure login ("
          + firstLine(e.getMessage()) + "); run az login, or set AZURE_CLIENT_ID,"
          + " AZURE_TENANT_ID and AZURE_CLIENT_SECRET", e);
    }
    return new AetherException(AetherException.ERROR, "Failed " + what + ": "
        + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), e);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a stray .part file is harmless
      }
    }
  }
}
