package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.plan.RunCost;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * What a user does to the project's EC2 resources as a whole ({@code aether down}, the cost so
 * far), beside {@link Ec2Machines}, which only starts, lists and stops nodes for the pipeline.
 */
final class Ec2ProjectAdmin {
  private final Ec2Client ec2;
  private final Ec2Machines machines;
  private final String project;

  Ec2ProjectAdmin(Ec2Client ec2, Ec2Machines machines, String project) {
    this.ec2 = ec2;
    this.machines = machines;
    this.project = project;
  }

  /**
   * Every instance of the project, in any state EC2 still shows (terminated ones stay visible for
   * about an hour), with what it has cost: used for the cost so far.
   */
  List<RunCost.Usage> usage(Instant now) {
    try {
      return machines.describe(List.of()).map(i -> InstanceUsage.of(i, now)).toList();
    } catch (SdkException e) {
      throw AwsErrors.translate("listing the instances of project " + project, e);
    }
  }

  /**
   * Terminates every instance of the project that is not terminated yet, coordinator and workers.
   *
   * @return their ids
   */
  List<String> terminateAll() {
    try {
      List<String> ids = machines.describe(List.of("pending", "running", "stopping", "stopped"))
          .map(Instance::instanceId).toList();
      if (!ids.isEmpty()) {
        ec2.terminateInstances(b -> b.instanceIds(ids));
      }
      return ids;
    } catch (SdkException e) {
      throw AwsErrors.translate("terminating the instances of project " + project, e);
    }
  }

  /** Waits until none of the project's instances is pending, running or shutting down. */
  boolean awaitAllTerminated(Duration limit, Duration poll) {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      boolean alive;
      try {
        alive = machines.describe(List.of("pending", "running", "stopping", "stopped", "shutting-down"))
            .findAny().isPresent();
      } catch (SdkException e) {
        throw AwsErrors.translate("listing the instances of project " + project, e);
      }
      if (!alive) {
        return true;
      }
      if (System.nanoTime() > end) {
        return false;
      }
      try {
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** Deletes the project's security group. @return whether there was one */
  boolean deleteSecurityGroup() {
    try {
      return new SecurityGroups(ec2).delete(project);
    } catch (SdkException e) {
      if ("DependencyViolation".equals(AwsErrors.code(e))) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, "The security group "
            + SecurityGroups.nameFor(project) + " is still used by instances that are"
            + " shutting down; run `aether down` again in a minute.", e);
      }
      throw AwsErrors.translate("deleting the security group of project " + project, e);
    }
  }
}
