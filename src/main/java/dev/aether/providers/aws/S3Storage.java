package dev.aether.providers.aws;

import dev.aether.core.project.ProjectName;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.AetherException;
import dev.aether.core.spi.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.CreateBucketConfiguration;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.CompletedDirectoryUpload;
import software.amazon.awssdk.transfer.s3.model.UploadDirectoryRequest;
import software.amazon.awssdk.transfer.s3.progress.TransferListener;

/** The project bucket on S3, named after the project and tagged {@code aether:project=<name>}. */
public final class S3Storage implements Storage, AutoCloseable {
  /** The tag every resource Aether makes carries, so they can be listed and cleaned up. */
  static final String PROJECT_TAG = "aether:project";
  /** An object naming the project that owns the bucket. */
  static final String PROJECT_MARKER = BucketLayout.PROJECT_MARKER;

  private final S3Client s3;
  /** Made per folder upload: its Netty threads take two seconds to shut down, so keep none idle. */
  private final Supplier<S3AsyncClient> s3Async;
  private final String bucket;

  S3Storage(S3Client s3, Supplier<S3AsyncClient> s3Async, String bucket) {
    this.s3 = s3;
    this.s3Async = s3Async;
    this.bucket = bucket;
  }

  /**
   * The project's bucket in the clients' region, made (and tagged) when it does not exist yet. The
   * name is checked against S3's rules before any call.
   *
   * @throws AetherException exit 2 when the name is not a valid bucket name, another account owns
   *     that bucket, or it is a bucket of this account that is not this project's
   */
  public static S3Storage open(AwsClients clients, String project) {
    String bucket = ProjectName.check(project);
    S3Storage storage = new S3Storage(clients.s3(), clients::s3Async, bucket);
    try {
      storage.create(clients.region(), project);
      return storage;
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /** The bucket of a project that exists already (on nodes, and for {@code aether down}). */
  public static S3Storage existing(AwsClients clients, String bucket) {
    return new S3Storage(clients.s3(), clients::s3Async, ProjectName.check(bucket));
  }

  private void create(String region, String project) {
    // Tagged in the same call, so there is never an untagged project bucket (needs
    // s3:TagResource); us-east-1 is the default and must not be named as a constraint. See
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
    CreateBucketConfiguration.Builder config = CreateBucketConfiguration.builder()
        .tags(Tag.builder().key(PROJECT_TAG).value(project).build());
    if (!"us-east-1".equals(region)) {
      config.locationConstraint(BucketLocationConstraint.fromValue(region));
    }
    try {
      s3.createBucket(CreateBucketRequest.builder().bucket(bucket)
          .createBucketConfiguration(config.build()).build());
      put(PROJECT_MARKER, project.getBytes(StandardCharsets.UTF_8));
    } catch (SdkException e) {
      // ours already: go on only if it is this project's (a second run of the same project)
      if (!"BucketAlreadyOwnedByYou".equals(AwsErrors.code(e))) {
        throw AwsErrors.translate("creating the bucket s3://" + bucket + " in " + region, e);
      }
      claim(project);
    }
  }

  /**
   * An existing bucket of this account is used only when its marker names this project, or when it
   * is empty (then it is claimed): never write into another project's or someone's own bucket.
   */
  private void claim(String project) {
    Optional<String> owner = read(PROJECT_MARKER).map(b -> new String(b, StandardCharsets.UTF_8));
    if (owner.isPresent() && owner.get().equals(project)) {
      return;
    }
    if (owner.isEmpty() && isEmpty()) {
      put(PROJECT_MARKER, project.getBytes(StandardCharsets.UTF_8));
      return;
    }
    throw AetherException.invalidInput("-N/--name: the bucket s3://" + bucket + " exists in your"
        + " account but is not this Aether project's ("
        + owner.map(o -> "it belongs to project '" + o + "'")
            .orElse("it holds objects and has no " + PROJECT_MARKER + " marker")
        + "); choose another project name with -N.");
  }

  @Override
  public String location() {
    return "s3://" + bucket;
  }

  String bucket() {
    return bucket;
  }

  @Override
  public void put(String key, Path source) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(source));
    } catch (SdkException e) {
      throw AwsErrors.translate("uploading " + source + " to " + uri(key), e);
    }
  }

  @Override
  public void put(String key, byte[] content) {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    } catch (SdkException e) {
      throw AwsErrors.translate("writing " + uri(key), e);
    }
  }

  @Override
  public Optional<byte[]> read(String key) {
    try {
      ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      return Optional.of(bytes.asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw AwsErrors.translate("reading " + uri(key), e);
    }
  }

  @Override
  public boolean get(String key, Path target) {
    Path tmp = null;
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, ".aether-", ".part");
      Files.delete(tmp); // the SDK writes a new file and refuses to overwrite
      s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toFile(tmp));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (SdkException e) {
      throw AwsErrors.translate("downloading " + uri(key) + " to " + target, e);
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "Failed downloading " + uri(key) + " to " + target + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public List<String> list(String prefix) {
    return list(prefix, 1000);
  }

  List<String> list(String prefix, int pageSize) {
    try {
      return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize))
          .contents().stream()
          .map(S3Object::key)
          .sorted()
          .toList();
    } catch (SdkException e) {
      throw AwsErrors.translate("listing " + uri(prefix), e);
    }
  }

  /**
   * Uploads every file under {@code dir} to {@code prefix/<relative path>}, in parallel, with the
   * S3 Transfer Manager (multipart for large files). See
   * https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/transfer-manager.html
   */
  @Override
  public void putFolder(String prefix, Path dir, LongConsumer progress) {
    if (!Files.isDirectory(dir)) {
      throw AetherException.invalidInput("Cannot upload " + dir + ": not a folder");
    }
    try (S3AsyncClient async = s3Async.get();
        S3TransferManager tm = S3TransferManager.builder().s3Client(async).build()) {
      CompletedDirectoryUpload done = tm.uploadDirectory(UploadDirectoryRequest.builder()
              .source(dir).bucket(bucket).s3Prefix(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix)
              .uploadFileRequestTransformer(file -> file.addTransferListener(new BytesSent(progress)))
              .build())
          .completionFuture().join();
      if (!done.failedTransfers().isEmpty()) {
        var first = done.failedTransfers().get(0);
        String file = String.valueOf(first.request().putObjectRequest().key());
        throw new AetherException(AetherException.ERROR,
            "Failed uploading " + dir + " to " + uri(prefix) + ": " + done.failedTransfers().size()
                + " file(s) did not upload, first " + file + ": " + first.exception().getMessage(),
            first.exception());
      }
    } catch (CompletionException e) {
      if (e.getCause() instanceof SdkException sdk) {
        throw AwsErrors.translate("uploading " + dir + " to " + uri(prefix), sdk);
      }
      throw e;
    }
  }

  private boolean isEmpty() {
    try {
      return s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(1)).contents().isEmpty();
    } catch (SdkException e) {
      throw AwsErrors.translate("listing " + location(), e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchBucketException e) {
      // no bucket, no object
    } catch (SdkException e) {
      throw AwsErrors.translate("deleting " + uri(key), e);
    }
  }

  /** Turns the Transfer Manager's running totals per file into amounts just sent. */
  private static final class BytesSent implements TransferListener {
    private final LongConsumer progress;
    private long seen;

    BytesSent(LongConsumer progress) {
      this.progress = progress;
    }

    @Override
    public synchronized void bytesTransferred(Context.BytesTransferred context) {
      long now = context.progressSnapshot().transferredBytes();
      progress.accept(now - seen);
      seen = now;
    }
  }

  private String uri(String key) {
    return "s3://" + bucket + "/" + key;
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

  @Override
  public void close() {
    s3.close();
  }
}
