package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.spi.AetherProgram;
import dev.aether.core.spi.Provider;
import dev.aether.providers.aws.AwsProvider;
import dev.aether.providers.azure.AzureProvider;
import dev.aether.providers.local.LocalProvider;
import dev.aether.providers.local.LocalStorage;
import dev.aether.providers.ssh.SshProvider;
import dev.aether.providers.slurm.SlurmProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place that knows every provider: turns {@code --provider NAME}, or the credentials
 * found on this machine, into a {@link Provider}. A new kind of machine is one line here.
 */
final class ProviderRegistry {
  /**
   * In the order they are tried when --provider is not given: the first whose credentials are
   * found wins, so local (needing nothing) ends the search, and those after it (ssh, slurm:
   * they run only on hosts or a cluster the user names) are reached only by name.
   */
  private static final Map<String, Function<ProviderChoice, Provider>> PROVIDERS = providers();

  private static Map<String, Function<ProviderChoice, Provider>> providers() {
    Map<String, Function<ProviderChoice, Provider>> m = new LinkedHashMap<>();
    m.put(AwsProvider.NAME, c -> new AwsProvider(new AwsProvider.Settings(c.region(), c.keyId(),
        c.key(), c.instanceProfile(), c.coordinatorProfile(), c.coordinatorPort()), c.dirs()));
    m.put(AzureProvider.NAME, c -> new AzureProvider(new AzureProvider.Settings(c.region(),
        c.subscription(), c.coordinatorPort())));
    m.put(LocalProvider.NAME, c -> new LocalProvider(c.dirs(), aether()));
    m.put(SshProvider.NAME, c -> new SshProvider(c.ssh().settings(), c.dirs(), LocalStorage::new));
    m.put(SlurmProvider.NAME, c -> new SlurmProvider(c.cluster().slurm(), c.dirs(), aether()));
    return m;
  }

  /**
   * The providers chosen by the credentials found when --provider is not given; the others run
   * only when named. Azure is named, not found: an `az login` kept for other work must not move
   * a batch onto a paid subscription unasked.
   */
  private static final Set<String> CHOSEN_BY_CREDENTIALS = Set.of(AwsProvider.NAME,
      LocalProvider.NAME);

  /** The region of providers whose default is not AWS's us-east-1 (which also prices local). */
  private static final Map<String, String> DEFAULT_REGIONS = Map.of(AzureProvider.NAME,
      AzureProvider.DEFAULT_REGION);

  private ProviderRegistry() {}

  /** The region used when -R is not given, for --provider {@code name} (or none). */
  static String defaultRegion(Optional<String> name) {
    return name.map(DEFAULT_REGIONS::get).orElse(AwsProvider.DEFAULT_REGION);
  }

  /** How to run this program as a new process here (a local agent). */
  static AetherProgram aether() {
    return AetherProgram.thisJvm(Main.class.getName());
  }

  /** The names --provider takes, in the order the default tries them. */
  static String names() {
    return String.join(", ", PROVIDERS.keySet());
  }

  /**
   * The provider named by --provider; without it the first whose credentials are on this
   * machine, so a user with an AWS account runs on AWS and everyone else on this machine.
   */
  static Provider resolve(ProviderChoice choice) {
    if (choice.ssh().hostsFile().isPresent()
        && !choice.name().filter(SshProvider.NAME::equals).isPresent()) {
      throw AetherException.invalidInput("--hosts is read only with --provider ssh (your own"
          + " machines): add --provider ssh");
    }
    if (choice.name().isPresent()) {
      return named(choice.name().get(), choice);
    }
    for (Map.Entry<String, Function<ProviderChoice, Provider>> e : PROVIDERS.entrySet()) {
      if (!CHOSEN_BY_CREDENTIALS.contains(e.getKey())) {
        continue;
      }
      Provider p = e.getValue().apply(choice);
      if (p.credentialsFound()) {
        return p;
      }
    }
    throw new IllegalStateException("the local provider needs no credentials");
  }

  static Provider named(String name, ProviderChoice choice) {
    return Optional.ofNullable(PROVIDERS.get(name)).map(make -> make.apply(choice))
        .orElseThrow(() -> AetherException.invalidInput("--provider: '" + name
            + "' is not one of: " + names()));
  }
}
