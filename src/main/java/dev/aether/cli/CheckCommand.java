package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.project.ProjectName;
import dev.aether.core.spi.CheckResult;
import dev.aether.core.spi.Preflight;
import dev.aether.core.spi.Provider;
import dev.aether.providers.aws.AwsProvider;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether check}: the provider's preflight (see {@link Preflight}), one line per check with
 * its fix; exit 0 only when a run could start. {@code aether} runs the same checks before it
 * starts anything ({@link #require}).
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Checks that a run could start on the provider before anything costs money:"
        + " on AWS the credentials, region, default VPC and subnets, the nodes' roles, the spot"
        + " service-linked role (made when allowed), vCPU quotas and a dry run of each launch."
        + " Exit status 0 only when a run could start.")
final class CheckCommand implements Callable<Integer> {
  @Option(names = "--provider", paramLabel = "NAME", description = "The provider to check"
      + " (default: aws when AWS credentials are found, else local).")
  String provider;

  @Mixin RegionOption region = new RegionOption();

  @Option(names = {"-L", "--provisioning-file"}, paramLabel = "PSV",
      description = "A plan (prov.psv) whose pools, zones and quotas to check too.")
  Path plan;

  @Mixin ProjectOption project = new ProjectOption();

  @Option(names = "--instance-profile", paramLabel = "NAME",
      description = "The workers' instance profile (default: aether-worker).")
  String instanceProfile = AwsProvider.DEFAULT_INSTANCE_PROFILE;

  @Option(names = "--coordinator-profile", paramLabel = "NAME",
      description = "The coordinator node's instance profile (default: aether-coordinator).")
  String coordinatorProfile = AwsProvider.DEFAULT_COORDINATOR_PROFILE;

  @Mixin HomeOption home = new HomeOption();
  @Spec CommandSpec command;

  @Override
  public Integer call() {
    String regionName = region.region == null ? AwsProvider.DEFAULT_REGION : region.region;
    Optional<String> name = Optional.ofNullable(project.name).map(ProjectName::check);
    List<ProvisionedInstance> instances = List.of();
    if (plan != null) {
      if (!Files.isRegularFile(plan)) {
        throw AetherException.invalidInput("-L/--provisioning-file " + plan + ": no such file");
      }
      instances = ProvisioningFile.read(plan);
    }
    Provider p = ProviderRegistry.resolve(new ProviderChoice(Optional.ofNullable(provider),
        regionName, Optional.empty(), Optional.empty(), instanceProfile, coordinatorProfile,
        AwsProvider.DEFAULT_PORT, home.dirs(), SshChoice.NONE, ClusterOptions.NONE,
        Optional.empty()));
    PrintWriter out = command.commandLine().getOut();
    Optional<Preflight> preflight = p.preflight();
    if (preflight.isEmpty()) {
      out.println("The " + p.name() + " provider has nothing to check: it needs no account.");
      out.flush();
      return 0;
    }
    Catalog catalog = p.startable(EmbeddedCatalog.load().inRegion(regionName));
    out.println("Checking " + p.name() + " in " + regionName
        + (instances.isEmpty() ? "" : " for the " + instances.size() + " instance(s) of " + plan)
        + (name.map(n -> ", project " + n).orElse("")) + ":");
    out.flush();
    List<CheckResult> results = preflight.get().run(new Preflight.Request(name, instances,
        catalog));
    results.forEach(r -> out.println(line(r)));
    long failed = results.stream().filter(CheckResult::blocks).count();
    out.println(failed == 0 ? "Ready: a run could start." : "Not ready: " + failed + " check(s)"
        + " failed; fix them and run `aether check` again.");
    out.flush();
    return failed == 0 ? 0 : AetherException.ERROR;
  }

  /** {@code PASS  name: detail}, and the fix when there is one. */
  static String line(CheckResult r) {
    return String.format(Locale.ROOT, "%-5s %s: %s", r.status(), r.name(), r.detail())
        + r.fix().map(f -> ". Fix: " + f).orElse("");
  }

  /**
   * Before a run: says what is not as it should be and refuses the run when a check failed, with
   * the failed checks' lines as the message.
   */
  static void require(List<CheckResult> results, Provider provider, PrintStream out) {
    List<CheckResult> notPassed = results.stream()
        .filter(r -> r.status() != CheckResult.Status.PASS).toList();
    out.println("Checked the " + provider.name() + " account: " + (results.size()
        - notPassed.size()) + " of " + results.size() + " checks passed.");
    notPassed.stream().filter(r -> !r.blocks()).forEach(r -> out.println("  " + line(r)));
    List<String> failed = results.stream().filter(CheckResult::blocks).map(CheckCommand::line)
        .toList();
    if (!failed.isEmpty()) {
      throw new AetherException(AetherException.ERROR, "a run could not start on this "
          + provider.name() + " account, so nothing was started:\n  " + String.join("\n  ",
          failed) + "\nRun `aether check` after fixing it.");
    }
  }
}
