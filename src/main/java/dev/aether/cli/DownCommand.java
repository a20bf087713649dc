package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.project.ProviderRecord;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.providers.aws.AwsProvider;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether down --name X}: stops everything of project X that costs money on its provider
 * (on AWS: every instance, the pipeline token, the security group). The bucket and results stay.
 */
@Command(name = "down", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Stops project NAME on its provider: on AWS terminates its instances"
        + " (coordinator and workers), deletes its pipeline token and security group; on Azure"
        + " deletes its resource group. The bucket (or container) and results stay.")
final class DownCommand implements Callable<Integer> {
  @Mixin ProjectOption project = new ProjectOption();
  @Mixin RegionOption region = new RegionOption();
  @Mixin HomeOption home = new HomeOption();

  @Option(names = "--provider", paramLabel = "NAME", description = "The provider it runs on"
      + " (default: where it last ran from this machine, else aws).")
  String provider;

  @Option(names = "--subscription", paramLabel = "ID", description = "On Azure, the project's"
      + " subscription (default: AZURE_SUBSCRIPTION_ID, else az's default).")
  String subscription;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "How long to wait for the"
      + " machines to end before deleting what they use (default: 300).")
  long waitSeconds = 300;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    String name = StatusCommand.required(project);
    if (waitSeconds < 0) {
      throw AetherException.invalidInput("--wait must be >= 0 seconds, got " + waitSeconds);
    }
    ProjectDirs dirs = home.dirs();
    Optional<ProviderRecord> last = ProviderRecord.read(dirs, name);
    String providerName = Optional.ofNullable(provider)
        .or(() -> last.map(ProviderRecord::provider)).orElse(AwsProvider.NAME);
    String regionName = Optional.ofNullable(region.region)
        .or(() -> last.map(ProviderRecord::region).filter(r -> !r.isEmpty()))
        .orElse(ProviderRegistry.defaultRegion(Optional.of(providerName)));
    Provider p = ProviderRegistry.named(providerName, new ProviderChoice(Optional.empty(),
        regionName, Optional.empty(), Optional.empty(), AwsProvider.DEFAULT_INSTANCE_PROFILE,
        AwsProvider.DEFAULT_PORT, dirs).withSubscription(Optional.ofNullable(subscription)));
    if (!p.credentialsFound()) {
      throw AetherException.invalidInput("aether down: no " + providerName + " credentials found"
          + " on this machine, so nothing of project " + name + " can be stopped from here (set"
          + " them up as in docs/" + providerName + ".md, then run this again)");
    }
    PrintWriter out = command.commandLine().getOut();
    try (ProviderProject opened = p.open(name)) {
      ProviderProject.DownReport report = opened.down(Duration.ofSeconds(waitSeconds));
      report.lines().forEach(out::println);
      out.flush();
      return report.complete() ? 0 : AetherException.UNEXPECTED_STATE;
    }
  }
}
