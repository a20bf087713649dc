package dev.aether.providers.aws;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link VolumeAttacher} needs from the node's operating system, so tests can check what it
 * does without a disk: commands are argument lists, never a shell string.
 */
interface AttachStorageHost {
  /** A command's exit status and its combined output (for error messages). */
  record Result(int exit, String output) {}

  /** True when {@code folder} is a mount point now. */
  boolean isMounted(Path folder);

  /**
   * The block device of an attached EBS volume, once the kernel shows it: on Nitro instances an
   * NVMe device whose serial is the volume id, on Xen instances the requested name.
   */
  Optional<Path> device(String volumeId, String requestedName);

  /** Runs {@code argv} (no shell) and waits for it. */
  Result run(List<String> argv);

  /** Held while attaching: two jobs asking at once must not make two disks for one name. */
  AutoCloseable lock();
}
