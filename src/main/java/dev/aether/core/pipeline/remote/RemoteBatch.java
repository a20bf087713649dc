package dev.aether.core.pipeline.remote;

import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.limits.Limits;
import dev.aether.core.pipeline.run.PipelineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A batch to run with the coordinator on a node of the provider's.
 *
 * @param spec the batch: inputs, P and M, the plan's workers, attempts, restart, work folder
 * @param offers the offers the plan was bid from (replacements are bid from them too)
 * @param regionCatalog every offer of the region (the coordinator node is sized from it)
 * @param limits the limits the plan was bid under
 * @param requirements how the plan was bid (objective, risk step, max $/hour)
 * @param agentJar the aether jar the nodes run
 * @param resultsHome where {@code output/} and {@code logs/} are brought home to
 * @param jobs how many jobs the args file has
 * @param joinDeadline how long a node (the coordinator node, each worker) has from its start to
 *     join before it is ended as failed
 */
public record RemoteBatch(PipelineSpec spec, Catalog offers, Catalog regionCatalog, Limits limits,
    Requirements requirements, Path agentJar, Path resultsHome, int jobs, Duration joinDeadline) {
  public RemoteBatch {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(offers, "offers");
    Objects.requireNonNull(regionCatalog, "regionCatalog");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(requirements, "requirements");
    Objects.requireNonNull(agentJar, "agentJar");
    Objects.requireNonNull(resultsHome, "resultsHome");
    if (joinDeadline.toSeconds() < 1) {
      throw dev.aether.core.AetherException.invalidInput("--join-deadline must be at least 1"
          + " second, got " + joinDeadline.toSeconds());
    }
  }
}
