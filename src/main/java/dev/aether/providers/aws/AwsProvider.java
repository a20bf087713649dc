package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Preflight;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * AWS: EC2 spot and on-demand nodes, an S3 bucket per project, live prices and vCPU quotas. The
 * coordinator runs on a small on-demand node of its own, since nodes cannot reach the launcher.
 * See docs/aws.md.
 */
public final class AwsProvider implements Provider {
  public static final String NAME = "aws";
  public static final String DEFAULT_REGION = "us-east-1";
  public static final int DEFAULT_PORT = 7070;
  /** The workers' instance profile: the project bucket's prefixes they use, nothing else. */
  public static final String DEFAULT_INSTANCE_PROFILE = "aether-worker";
  /** The coordinator node's profile: the bucket, and starting and ending the project's workers. */
  public static final String DEFAULT_COORDINATOR_PROFILE = "aether-coordinator";
  /**
   * For tests only: seconds between two reads of the spot interruption notice (default 5, as AWS
   * suggests). An environment variable, not a flag: nothing a user should tune.
   */
  public static final String POLL_ENV = InterruptionNotices.POLL_ENV;

  /**
   * What the user chose for AWS. The keys are secrets: {@link #toString()} hides them.
   *
   * @param region e.g. us-east-1
   * @param keyId -E, when given (the default credential chain otherwise)
   * @param secretKey -K, when given
   * @param instanceProfile the IAM instance profile the workers run with (their bucket prefixes
   *     only)
   * @param coordinatorProfile the instance profile of the coordinator node (it also starts and
   *     ends the project's workers)
   * @param coordinatorPort the port the coordinator node listens on, open to the VPC only
   */
  public record Settings(String region, Optional<String> keyId, Optional<String> secretKey,
      String instanceProfile, String coordinatorProfile, int coordinatorPort) {
    public Settings {
      if (region == null || region.isBlank()) {
        throw AetherException.invalidInput("-R/--region is empty; give an AWS region such as "
            + DEFAULT_REGION);
      }
      if (keyId.isPresent() != secretKey.isPresent()) {
        throw AetherException.invalidInput(keyId.isEmpty() ? "-E/--key-ID is missing: -K needs it"
            : "-K/--key is missing: -E needs it");
      }
      if (instanceProfile == null || instanceProfile.isBlank()) {
        throw AetherException.invalidInput("--instance-profile is empty");
      }
      if (coordinatorProfile == null || coordinatorProfile.isBlank()) {
        throw AetherException.invalidInput("--coordinator-profile is empty");
      }
      if (coordinatorPort < 1 || coordinatorPort > 65535) {
        throw AetherException.invalidInput("--coordinator-port must be 1 to 65535, got "
            + coordinatorPort);
      }
    }

    /** With the default coordinator profile. */
    public Settings(String region, Optional<String> keyId, Optional<String> secretKey,
        String instanceProfile, int coordinatorPort) {
      this(region, keyId, secretKey, instanceProfile, DEFAULT_COORDINATOR_PROFILE,
          coordinatorPort);
    }

    /** The defaults, in {@code region}. */
    public static Settings in(String region) {
      return new Settings(region, Optional.empty(), Optional.empty(), DEFAULT_INSTANCE_PROFILE,
          DEFAULT_COORDINATOR_PROFILE, DEFAULT_PORT);
    }

    @Override
    public String toString() {
      return "Settings[region=" + region + ", keys=" + (keyId.isPresent() ? "***" : "default chain")
          + ", instanceProfile=" + instanceProfile + ", coordinatorProfile=" + coordinatorProfile
          + ", coordinatorPort=" + coordinatorPort + "]";
    }
  }

  private final Settings settings;
  private final ProjectDirs dirs;
  private final Map<String, String> env;
  private final Path userHome;
  private final Supplier<AwsClients> clients;

  public AwsProvider(Settings settings, ProjectDirs dirs) {
    this(settings, dirs, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  AwsProvider(Settings settings, ProjectDirs dirs, Map<String, String> env, Path userHome) {
    this.settings = settings;
    this.dirs = dirs;
    this.env = Map.copyOf(env);
    this.userHome = userHome;
    // Made on first use: a dry run from the snapshot builds no SDK client at all.
    this.clients = memo(() -> AwsClients.forRegion(settings.region(), credentials(), this.env));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.SPOT, Capability.INTERRUPTIONS, Capability.ATTACH_STORAGE,
        Capability.REMOTE_COORDINATOR, Capability.LIVE_PRICES, Capability.BIDS);
  }

  /**
   * Whether the AWS default credential chain would find credentials: -E/-K, the environment, or a
   * credentials or config file. (The SDK reads them; we only look whether they are there.)
   */
  @Override
  public boolean credentialsFound() {
    return settings.keyId().isPresent() || hasDefaultCredentials(env, userHome);
  }

  static boolean hasDefaultCredentials(Map<String, String> env, Path home) {
    if (env.containsKey("AWS_ACCESS_KEY_ID") || env.containsKey("AWS_PROFILE")
        || env.containsKey("AWS_WEB_IDENTITY_TOKEN_FILE")
        || env.containsKey("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
      return true;
    }
    Path aws = home.resolve(".aws");
    return Files.exists(aws.resolve("credentials")) || Files.exists(aws.resolve("config"));
  }

  @Override
  public ProviderProject open(String name) {
    return new AwsProject(clients.get(), name, settings);
  }

  @Override
  public NodeEnvironment nodeEnvironment(NodeOptions options) {
    NodeIdentity me = NodeIdentity.fromMetadata(env);
    S3Storage storage = S3Storage.existing(AwsClients.forRegion(options.region()
        .orElse(settings.region()), credentials(), env), options.bucket());
    // Every AWS node watches for the spot notice; on-demand nodes simply never get one.
    InterruptionNoticesImds notices = new InterruptionNoticesImds(interruptionPoll(env));
    return NodeEnvironment.of(me.instanceId(), me.privateIp(), options, storage, notices, () -> {
      notices.close();
      storage.close();
    });
  }

  @Override
  public Optional<PriceSource> prices() {
    return Optional.of(weeks -> new AwsCatalog(clients.get(), dirs.home().resolve("cache"),
        Clock.systemUTC()).load(weeks));
  }

  /**
   * The account's vCPU quotas less what already runs in the region (other projects, other tools)
   * and less the coordinator node's own vCPUs: what a new batch may still start.
   */
  @Override
  public Optional<QuotaSource> quotas() {
    return Optional.of(() -> new AwsLimits(clients.get()).free(
        AwsProject.COORDINATOR_VCPUS));
  }

  @Override
  public Optional<Preflight> preflight() {
    return Optional.of(new AwsPreflight(clients.get(), settings));
  }

  /** Without the types Amazon Linux 2023 cannot boot (a1). */
  @Override
  public Catalog startable(Catalog catalog) {
    return UnbootableTypes.without(catalog);
  }

  /** {@link InterruptionNotices#POLL_ENV} when set, else AWS's 5 seconds. */
  static Duration interruptionPoll(Map<String, String> env) {
    return InterruptionNotices.pollInterval(env, InterruptionNoticesImds.DEFAULT_INTERVAL);
  }

  /** -E/-K when given (never printed), else the SDK's default chain. */
  private AwsCredentialsProvider credentials() {
    if (settings.keyId().isEmpty()) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.keyId().get(),
        settings.secretKey().orElseThrow()));
  }

  private static <T> Supplier<T> memo(Supplier<T> make) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = make.get();
        }
        return value;
      }
    };
  }
}
