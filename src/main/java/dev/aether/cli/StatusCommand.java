package dev.aether.cli;

import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.run.PipelineResult;
import dev.aether.core.project.ProjectDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aether status -N NAME}: the project's job counts and failed jobs, from its ledger. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Shows how many of a project's jobs are done, failed, running and pending,"
        + " and the log of each failed job. Safe to run while the batch runs.")
public final class StatusCommand implements Callable<Integer> {
  @Option(names = {"-N", "--name"}, required = true, paramLabel = "NAME",
      description = "The project name, as given to -N when it ran.")
  String name;

  @Option(names = "--aether-home", paramLabel = "DIR",
      description = "Where Aether keeps projects (default: $AETHER_HOME, else ~/.aether).")
  Path home;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    ProjectDirs dirs = ProjectDirs.of(home);
    try (JobLedger ledger = JobLedger.openExisting(dirs.ledger(name))) {
      String bucket = ledger.meta("bucket").orElse(dirs.bucket(name).toString());
      spec.commandLine().getOut()
          .print(PipelineConsole.summary(PipelineResult.from(ledger, bucket, Duration.ZERO)));
      if (bucket.startsWith("s3://")) {
        spec.commandLine().getOut().println(AwsRun.costOf(name, dirs));
      }
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
