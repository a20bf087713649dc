package dev.aether.providers.ssh;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.NodeSize;
import java.util.Objects;
import java.util.Optional;

/**
 * One of the user's hosts, logged in and checked: Java is there, and this is its size as it
 * reports it.
 *
 * @param entry its hosts-file line (address and {@code slots=N})
 * @param connection the logged-in connection every later step reuses
 * @param cores its processors, as {@code nproc} counts them there
 * @param memoryGb its memory, GB (10^9 bytes)
 * @param javaMajor the major version of the java that will run the agent
 */
record SshHost(HostsFile.Entry entry, SshConnection connection, int cores, double memoryGb,
    int javaMajor) {
  SshHost {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(connection, "connection");
    if (cores < 1 || !(memoryGb > 0)) {
      throw new IllegalArgumentException("host " + entry.address() + " reported " + cores
          + " cores and " + memoryGb + " GB");
    }
  }

  /** The host as the plan and prov.psv name it: as the user wrote it. */
  String name() {
    return entry.address().toString();
  }

  /** Its address as jobs see it ({@code $6}): where ssh really connects to. */
  String address() {
    return connection.endpoint().hostname();
  }

  /**
   * What the batch may use there: the whole host, or with {@code slots=N} only N jobs' worth
   * (see {@link NodeSize#cappedAt}).
   */
  ProvisionedInstance instance(int processorsPerJob, double memoryPerJobGb) {
    NodeSize size = new NodeSize(cores, memoryGb);
    NodeSize use = entry.slots().map(n -> size.cappedAt(n, processorsPerJob, memoryPerJobGb))
        .orElse(size);
    return new ProvisionedInstance(name(), use.cores(), use.memoryGb(), false, false,
        Optional.empty(), Optional.empty(), Optional.of(SshProvider.NAME));
  }
}
