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
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
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
   * The project's bucket in the clients' region, made when it does not exist yet. Before anything
   * is written it is recognised ({@link #inspect}): HeadBucket (is there one, and is it this
   * account's), then its {@code aether:project} tag (is it this project's). CreateBucket is called
   * only for a bucket that does not exist: in us-east-1 CreateBucket answers 200 for a bucket the
   * caller already owns (and resets its ACL), so it cannot be the test of ownership. A new bucket is
   * tagged in the same call, its public access is blocked and its objects are encrypted by default
   * (SSE-S3), whatever the account's defaults.
   *
   * @throws AetherException exit 2 when the name is not a valid bucket name, another account owns
   *     that bucket, it is in another region, or it is a bucket of this account that is not this
   *     project's
   */
  public static S3Storage open(AwsClients clients, String project) {
    String bucket = ProjectName.check(project);
    S3Storage storage = new S3Storage(clients.s3(), clients::s3Async, bucket);
    try {
      storage.prepare(clients.region(), project);
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

  /** What a bucket of the project's name is, as far as this account can tell. */
  enum Found {
    /** No bucket of that name anywhere: it can be made. */
    MISSING,
    /** This project's bucket (its tag or marker names the project). */
    OURS,
    /** A bucket of this account, empty and unmarked: it may be claimed. */
    EMPTY,
    /** A bucket of this account that belongs to something else. */
    NOT_OURS,
    /** A bucket of another account (names are global). */
    OTHER_ACCOUNT,
    /** A bucket of this account in another region. */
    OTHER_REGION
  }

  /** @param detail for the user: whose it is, or where */
  record Inspection(Found found, String detail) {}

  /**
   * Recognises the bucket without writing anything: HeadBucket, then the project tag, then the
   * marker object. Used before a run and by {@code aether check}.
   */
  Inspection inspect(String region, String project) {
    try {
      HeadBucketResponse head = s3.headBucket(b -> b.bucket(bucket));
      String where = head.bucketRegion();
      if (where != null && !where.isBlank() && !where.equals(region)) {
        return new Inspection(Found.OTHER_REGION, where);
      }
    } catch (NoSuchBucketException e) {
      return new Inspection(Found.MISSING, "");
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return new Inspection(Found.MISSING, "");
      }
      if (e.statusCode() == 403) {
        return new Inspection(Found.OTHER_ACCOUNT, "");
      }
      if (e.statusCode() == 301) {
        return new Inspection(Found.OTHER_REGION, e.awsErrorDetails().sdkHttpResponse()
            .firstMatchingHeader("x-amz-bucket-region").orElse("another region"));
      }
      throw AwsErrors.translate("looking up the bucket s3://" + bucket, e);
    } catch (SdkException e) {
      throw AwsErrors.translate("looking up the bucket s3://" + bucket, e);
    }
    Optional<String> tag = projectTag();
    if (tag.isPresent()) {
      return tag.get().equals(project) ? new Inspection(Found.OURS, "")
          : new Inspection(Found.NOT_OURS, "it belongs to project '" + tag.get() + "'");
    }
    Optional<String> owner = read(PROJECT_MARKER).map(b -> new String(b, StandardCharsets.UTF_8));
    if (owner.isPresent()) {
      return owner.get().equals(project) ? new Inspection(Found.OURS, "")
          : new Inspection(Found.NOT_OURS, "it belongs to project '" + owner.get() + "'");
    }
    return isEmpty() ? new Inspection(Found.EMPTY, "")
        : new Inspection(Found.NOT_OURS, "it holds objects and has no " + PROJECT_TAG
            + " tag");
  }

  private void prepare(String region, String project) {
    Inspection found = inspect(region, project);
    switch (found.found()) {
      case MISSING -> create(region, project);
      case OURS -> {
        if (read(PROJECT_MARKER).isEmpty()) {
          put(PROJECT_MARKER, project.getBytes(StandardCharsets.UTF_8));
        }
      }
      case EMPTY -> {
        // an empty bucket of this account: claimed, and made as private as a new one
        s3Call("tagging", () -> s3.putBucketTagging(b -> b.bucket(bucket).tagging(t -> t.tagSet(
            Tag.builder().key(PROJECT_TAG).value(project).build()))));
        secure();
        put(PROJECT_MARKER, project.getBytes(StandardCharsets.UTF_8));
      }
      case NOT_OURS -> throw AetherException.invalidInput("-N/--name: the bucket s3://" + bucket
          + " exists in your account but is not this Aether project's (" + found.detail()
          + "); choose another project name with -N.");
      case OTHER_ACCOUNT -> throw AetherException.invalidInput("-N/--name: a bucket s3://"
          + bucket + " exists and belongs to another AWS account (bucket names are global);"
          + " choose another project name with -N.");
      case OTHER_REGION -> throw AetherException.invalidInput("-N/--name: the bucket s3://"
          + bucket + " is in " + found.detail() + ", not " + region + "; run with -R "
          + found.detail() + ", or choose another project name with -N.");
      default -> throw new IllegalStateException(found.toString());
    }
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
    } catch (SdkException e) {
      String code = AwsErrors.code(e);
      if ("BucketAlreadyOwnedByYou".equals(code) || "BucketAlreadyExists".equals(code)) {
        // made meanwhile (another aether of ours, or someone else): decide again, as above
        prepareExisting(region, project, code);
        return;
      }
      throw AwsErrors.translate("creating the bucket s3://" + bucket + " in " + region, e);
    }
    secure();
    put(PROJECT_MARKER, project.getBytes(StandardCharsets.UTF_8));
  }

  private void prepareExisting(String region, String project, String code) {
    Inspection again = inspect(region, project);
    if (again.found() == Found.MISSING) {
      throw AetherException.invalidInput("-N/--name: S3 said the bucket s3://" + bucket + " exists"
          + " (" + code + ") but it cannot be seen; choose another project name with -N.");
    }
    prepare(region, project);
  }

  /**
   * Blocks every kind of public access and sets default encryption (SSE-S3). New buckets have
   * both since 2023, but an account or an older tool may differ; the bucket holds the token. See
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
   * and https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
   */
  private void secure() {
    s3Call("public access block", () -> s3.putPublicAccessBlock(b -> b.bucket(bucket)
        .publicAccessBlockConfiguration(c -> c.blockPublicAcls(true).ignorePublicAcls(true)
            .blockPublicPolicy(true).restrictPublicBuckets(true))));
    s3Call("default encryption", () -> s3.putBucketEncryption(b -> b.bucket(bucket)
        .serverSideEncryptionConfiguration(c -> c.rules(r -> r.applyServerSideEncryptionByDefault(
            d -> d.sseAlgorithm(ServerSideEncryption.AES256))))));
  }

  /** The bucket's {@code aether:project} tag, when it has one. */
  private Optional<String> projectTag() {
    try {
      return s3.getBucketTagging(b -> b.bucket(bucket)).tagSet().stream()
          .filter(t -> PROJECT_TAG.equals(t.key())).map(Tag::value).findFirst();
    } catch (SdkException e) {
      if ("NoSuchTagSet".equals(AwsErrors.code(e)) || "NoSuchTagSetError".equals(
          AwsErrors.code(e))) {
        return Optional.empty();
      }
      throw AwsErrors.translate("reading the tags of s3://" + bucket, e);
    }
  }

  private void s3Call(String what, Runnable call) {
    try {
      call.run();
    } catch (SdkException e) {
      throw AwsErrors.translate("setting the " + what + " of s3://" + bucket, e);
    }
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
