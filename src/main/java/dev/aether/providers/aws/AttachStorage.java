package dev.aether.providers.aws;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code aether attach-storage SIZE DEVMNT} on an EC2 node, wired: the request is checked first,
 * an already mounted folder returns at once (no network), then the node is read from the
 * metadata service (exit 2 off EC2) and {@link VolumeAttacher} does the work with the instance
 * role's credentials.
 */
public final class AttachStorage {
  /** Where volumes are mounted on a node: {@code /mnt/DEVMNT}, as in the 2017 scripts. */
  public static final Path MOUNT_ROOT = Path.of("/mnt");

  private AttachStorage() {}

  /** @return one line for the job's log: what is mounted where */
  public static String run(AttachStorageRequest request, URI imds) {
    AttachStorageHost host = new AttachStorageLinuxHost();
    Path mountPoint = MOUNT_ROOT.resolve(request.name());
    if (host.isMounted(mountPoint)) {
      return mountPoint + " is already mounted; nothing to do";
    }
    AttachStorageNode node = AttachStorageNode.fromImds(imds);
    try (Ec2Client ec2 = AwsClients.forRegion(node.region()).ec2()) {
      String project = VolumeAttacher.projectOf(ec2, node.instanceId());
      VolumeAttacher.Attached a = new VolumeAttacher(ec2, host, node, project, MOUNT_ROOT,
          Duration.ofSeconds(2), Duration.ofMinutes(5)).attach(request);
      return a.volumeId()
          .map(v -> "mounted " + request.sizeGb() + " GB (" + v + ", deleted with this node) at "
              + a.mountPoint())
          .orElse(a.mountPoint() + " is already mounted; nothing to do");
    }
  }
}
