package dev.aether.providers.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.project.ProjectName;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.InterruptionNotices;
import dev.aether.core.spi.NodeEnvironment;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Azure: Spot and pay-as-you-go VMs, a Blob container per project, live prices from the public
 * Retail Prices API and vCPU quotas from the subscription. The coordinator runs on a small VM of
 * its own, since VMs cannot reach the launcher. See docs/azure.md.
 */
public final class AzureProvider implements Provider {
  public static final String NAME = "azure";
  public static final String DEFAULT_REGION = "eastus";
  public static final int DEFAULT_PORT = 7070;
  /**
   * For tests only: seconds between two reads of Scheduled Events (default 2). The same variable
   * as AWS's, an environment variable and not a flag: nothing a user should tune.
   */
  public static final String POLL_ENV = InterruptionNotices.POLL_ENV;
  /** Azure region names: lower-case letters and digits (eastus, westus2). */
  private static final Pattern REGION = Pattern.compile("^[a-z][a-z0-9]{1,39}$");

  /**
   * What the user chose for Azure. Nothing secret: credentials are the SDK's default chain.
   *
   * @param region e.g. eastus
   * @param subscription --subscription, when given (else AZURE_SUBSCRIPTION_ID or az's default)
   * @param coordinatorPort the port the coordinator VM listens on, open to the VNet only
   */
  public record Settings(String region, Optional<String> subscription, int coordinatorPort) {
    public Settings {
      if (region == null || !REGION.matcher(region).matches()) {
        throw AetherException.invalidInput("-R/--region: '" + region + "' is not an Azure region"
            + " name (lower-case letters and digits, e.g. " + DEFAULT_REGION + ", westus2)");
      }
      subscription = subscription.map(s -> AzureLogin.checkSubscription("--subscription", s));
      if (coordinatorPort < 1 || coordinatorPort > 65535) {
        throw AetherException.invalidInput("--coordinator-port must be 1 to 65535, got "
            + coordinatorPort);
      }
    }

    public static Settings in(String region) {
      return new Settings(region, Optional.empty(), DEFAULT_PORT);
    }
  }

  private final Settings settings;
  private final Map<String, String> env;
  private final Path userHome;
  private final AzureEndpoints endpoints;
  private final Optional<HttpClient> http;
  private TokenCredential credential;

  public AzureProvider(Settings settings) {
    this(settings, System.getenv(), home(System.getenv()), Optional.empty(), null);
  }

  /** $HOME, where the Azure CLI keeps its login (Java's user.home is the account's, not it). */
  private static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return home == null || home.isBlank() ? Path.of(System.getProperty("user.home"))
        : Path.of(home);
  }

  /**
   * @param http the HTTP client for Azure's SDK, when not its default (tests)
   * @param credential the credential, when not the default chain (tests); null for the chain
   */
  AzureProvider(Settings settings, Map<String, String> env, Path userHome,
      Optional<HttpClient> http, TokenCredential credential) {
    this.settings = settings;
    this.env = Map.copyOf(env);
    this.userHome = userHome;
    this.endpoints = AzureEndpoints.from(this.env);
    this.http = http;
    this.credential = credential;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.SPOT, Capability.INTERRUPTIONS, Capability.REMOTE_COORDINATOR,
        Capability.LIVE_PRICES, Capability.BIDS);
  }

  /** An {@code az login} or a service principal in the environment; see {@link AzureLogin}. */
  @Override
  public boolean credentialsFound() {
    return AzureLogin.found(env, userHome);
  }

  @Override
  public Catalog embeddedCatalog() {
    return AzureCatalogs.embedded();
  }

  @Override
  public ProviderProject open(String name) {
    ProjectName.check(name);
    String subscription = subscription();
    return new AzureProject(arm(subscription), new AzureNames(subscription, settings.region(),
        name), endpoints, credential(), http, settings.coordinatorPort());
  }

  @Override
  public NodeEnvironment nodeEnvironment(NodeOptions options) {
    InstanceMetadata me = InstanceMetadata.read(endpoints.imds());
    AzureNames names = new AzureNames(me.subscription(), options.region()
        .orElse(settings.region()), options.project());
    BlobStorage storage = BlobStorage.existing(BlobStorage.service(
        endpoints.blob(names.account()), credential(), http), options.bucket());
    // Every Azure node watches; pay-as-you-go nodes simply never get a Preempt event.
    ScheduledEventsNotices notices = new ScheduledEventsNotices(endpoints.imds(), me.name(),
        interruptionPoll(env));
    return NodeEnvironment.of(options.node().orElse(me.name()),
        options.address().orElse(me.privateIp()), options, storage, notices, notices::close);
  }

  /** Live prices of the region from the public Retail Prices API (no login needed). */
  @Override
  public Optional<PriceSource> prices() {
    return Optional.of(weeks -> new RetailPrices(java.net.http.HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build(),
        endpoints.retailPrices(), Clock.systemUTC()).catalog(settings.region()));
  }

  /** The subscription's vCPU quotas in the region, when logged in. */
  @Override
  public Optional<QuotaSource> quotas() {
    if (!credentialsFound()) {
      return Optional.empty();
    }
    return Optional.of(() -> new AzureQuotas(arm(subscription()), settings.region(),
        AzureCatalogs.embedded().inRegion(settings.region()).offers()).read());
  }

  /** {@link InterruptionNotices#POLL_ENV} when set, else 2 seconds. */
  static Duration interruptionPoll(Map<String, String> env) {
    return InterruptionNotices.pollInterval(env, ScheduledEventsNotices.DEFAULT_INTERVAL);
  }

  /**
   * --subscription, AZURE_SUBSCRIPTION_ID or az's default; on an Azure VM without any of them,
   * the VM's own (from the metadata service).
   */
  private String subscription() {
    Optional<String> found = AzureLogin.subscription(settings.subscription(), env, userHome);
    if (found.isPresent()) {
      return found.get();
    }
    try {
      return InstanceMetadata.read(endpoints.imds()).subscription();
    } catch (AetherException e) {
      throw AetherException.invalidInput("no Azure subscription: log in with `az login` (and"
          + " choose one with `az account set --subscription ID`), set AZURE_SUBSCRIPTION_ID, or"
          + " give --subscription ID");
    }
  }

  private Arm arm(String subscription) {
    return new Arm(credential(), subscription, endpoints, http);
  }

  private synchronized TokenCredential credential() {
    if (credential == null) {
      credential = AzureLogin.credential();
    }
    return credential;
  }
}
