package dev.aether.core.spi;

import dev.aether.core.catalog.Catalog;
import dev.aether.core.plan.ProvisionedInstance;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider's checks before a batch costs anything ({@code aether check}, and {@code aether}
 * before it starts a run): credentials, roles, network, quotas, a dry run of each launch. Checks
 * only read, except where making a missing account-wide prerequisite is harmless and free (AWS's
 * spot service-linked role), and then they say so.
 */
public interface Preflight {
  /** Runs every check, one result per line, in the order a user would fix them. */
  List<CheckResult> run(Request request);

  /**
   * What to check against.
   *
   * @param project the project (-N), when given: its bucket is checked too
   * @param plan the machines a run would start (empty: the provider's own nodes only)
   * @param catalog the region's offers (the coordinator node, where there is one, is sized from
   *     it)
   */
  record Request(Optional<String> project, List<ProvisionedInstance> plan, Catalog catalog) {
    public Request {
      Objects.requireNonNull(project, "project");
      plan = List.copyOf(plan);
      Objects.requireNonNull(catalog, "catalog");
    }
  }
}
