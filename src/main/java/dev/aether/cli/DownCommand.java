package dev.aether.cli;

import dev.aether.core.project.ProjectName;
import dev.aether.core.AetherException;
import dev.aether.providers.aws.AwsClients;
import dev.aether.providers.aws.Ec2Machines;
import dev.aether.providers.aws.S3Storage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether down --name X}: terminates every instance of project X on AWS (coordinator and
 * workers), deletes the pipeline token and the project's security group. The bucket and its
 * results stay.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stops project NAME on AWS: terminates its instances (coordinator and workers),"
        + " deletes its pipeline token and security group. The bucket and results stay.")
final class DownCommand implements Callable<Integer> {
  @Option(names = {"-N", "--name"}, required = true, paramLabel = "NAME",
      description = "The project name, as given to -N when it ran.")
  String name;

  @Option(names = {"-R", "--region"}, paramLabel = "REGION",
      description = "Region it runs in (default: us-east-1).")
  String region = BidRequest.DEFAULT_REGION;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "How long to wait for the"
      + " instances to end before deleting the security group (default: 300).")
  long waitSeconds = 300;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    ProjectName.check(name);
    if (waitSeconds < 0) {
      throw AetherException.invalidInput("--wait must be >= 0 seconds, got " + waitSeconds);
    }
    PrintWriter out = command.commandLine().getOut();
    AwsClients clients = AwsClients.forRegion(region);
    try (S3Storage bucket = S3Storage.existing(clients, name);
        Ec2Machines machines = new Ec2Machines(clients, bucket,
            new Ec2Machines.Settings(name, "aether-node", AwsRun.DEFAULT_PORT))) {
      List<String> ids = machines.terminateAll();
      out.println(ids.isEmpty() ? "No instance of project " + name + " was running in " + region
          + "." : "Terminating " + ids.size() + " instance(s) of project " + name + ": "
          + String.join(", ", ids));
      out.flush();
      bucket.delete(Ec2Machines.TOKEN_KEY);
      out.println("Deleted the pipeline token (" + bucket.location() + "/" + Ec2Machines.TOKEN_KEY
          + "), if there was one.");
      if (!machines.awaitAllTerminated(Duration.ofSeconds(waitSeconds), Duration.ofSeconds(5))) {
        out.println("The instances are still shutting down; run `aether down --name " + name
            + "` again in a minute to delete the security group.");
        return AetherException.UNEXPECTED_STATE;
      }
      out.println(machines.deleteSecurityGroup()
          ? "Deleted the security group aether-" + name + "."
          : "No security group of project " + name + " to delete.");
      out.println("Kept the bucket " + bucket.location() + " and its results (delete it with"
          + " `aws s3 rb " + bucket.location() + " --force`).");
      return 0;
    }
  }
}
