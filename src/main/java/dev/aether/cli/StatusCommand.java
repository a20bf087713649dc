package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.project.ProjectName;
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
import picocli.CommandLine.Spec;

/**
 * {@code aether status -N NAME}: the project's job counts and failed jobs, from its ledger. Exit
 * status 0 when no job has failed (done, running or pending), 1 when some have, 2 when there is
 * no such project here.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Shows how many of a project's jobs are done, failed, running and pending,"
        + " and the log of each failed job; on a cloud, what it has cost so far. Safe to run"
        + " while the batch runs.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no job has failed (all done, or still running)", "1:some jobs failed",
        "2:no such project on this machine (see --aether-home)"})
public final class StatusCommand implements Callable<Integer> {
  @Mixin ProjectOption project = new ProjectOption();
  @Mixin HomeOption home = new HomeOption();
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String name = required(project);
    ProjectDirs dirs = home.dirs();
    PrintWriter out = spec.commandLine().getOut();
    PipelineResult result;
    try (JobLedger ledger = JobLedger.openExisting(dirs.ledger(name))) {
      String bucket = ledger.meta("bucket").orElse(dirs.bucket(name).toString());
      result = PipelineResult.from(ledger, bucket, Duration.ZERO);
      out.print(PipelineConsole.summary(result));
    }
    ProviderRecord.read(dirs, name).ifPresent(r -> out.println(costSoFar(r, name, dirs)));
    out.flush();
    return result.counts().failed() > 0 ? 1 : 0;
  }

  /** What the project has cost on its provider, or why that is not known; empty line if free. */
  private static String costSoFar(ProviderRecord record, String name, ProjectDirs dirs) {
    try {
      Provider provider = ProviderRegistry.named(record.provider(), new ProviderChoice(
          Optional.empty(), record.region().isEmpty() ? AwsProvider.DEFAULT_REGION
              : record.region(), Optional.empty(), Optional.empty(),
          AwsProvider.DEFAULT_INSTANCE_PROFILE, AwsProvider.DEFAULT_PORT, dirs));
      try (ProviderProject p = provider.open(name)) {
        return p.costSoFar().orElse("Cost so far: nothing (the " + provider.name()
            + " provider does not bill).");
      }
    } catch (AetherException e) {
      return "Cost so far: unknown (" + e.getMessage() + ")";
    }
  }

  static String required(ProjectOption project) {
    if (project.name == null) {
      throw AetherException.invalidInput("-N/--name is required: the project's name");
    }
    return ProjectName.check(project.name);
  }
}
