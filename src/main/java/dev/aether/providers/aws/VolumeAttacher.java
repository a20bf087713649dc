package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code attach-storage}: gives the node it runs on a new gp3 EBS volume mounted at
 * {@code <mountRoot>/<name>} (on a node, {@code /mnt/<name>}), deleted with the instance.
 *
 * <p>Steps: if the folder is already a mount point, nothing (so a job may call it on every
 * attempt). Otherwise, under a node-wide lock: CreateVolume in the node's zone tagged with the
 * project; wait until {@code available}; AttachVolume at the first free name of
 * {@code /dev/sdf}..{@code /dev/sdp} (the names AWS recommends for EBS,
 * https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html); wait until
 * {@code attached}; ModifyInstanceAttribute so the volume is deleted when the instance terminates
 * (an attached volume keeps DeleteOnTermination=false otherwise,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/terminating-instances.html); find the block
 * device; mkfs.ext4 only when {@code blkid} finds no file system; mount.
 */
final class VolumeAttacher {
  private static final Logger log = LoggerFactory.getLogger(VolumeAttacher.class);
  private static final Pattern VOLUME_ID = Pattern.compile("vol-[0-9a-f]{8,32}");
  /** blkid's status when it finds no file system on the device (blkid(8)). */
  private static final int BLKID_NOTHING_FOUND = 2;

  /** What happened: the mount point, and the new volume's id (empty when already mounted). */
  record Attached(Path mountPoint, Optional<String> volumeId, Optional<Path> device) {}

  private final Ec2Client ec2;
  private final AttachStorageHost host;
  private final AttachStorageNode node;
  private final String project;
  private final Path mountRoot;
  private final Duration poll;
  private final Duration timeout;

  VolumeAttacher(Ec2Client ec2, AttachStorageHost host, AttachStorageNode node, String project,
      Path mountRoot, Duration poll, Duration timeout) {
    this.ec2 = ec2;
    this.host = host;
    this.node = node;
    this.project = project;
    this.mountRoot = mountRoot;
    this.poll = poll;
    this.timeout = timeout;
  }

  /** The project this instance belongs to: its {@code aether:project} tag. */
  static String projectOf(Ec2Client ec2, String instanceId) {
    try {
      return ec2.describeTags(b -> b.filters(
              Filter.builder().name("resource-id").values(instanceId).build(),
              Filter.builder().name("key").values(Tags.PROJECT).build()))
          .tags().stream().findFirst().map(t -> t.value())
          .orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE,
              "instance " + instanceId + " has no " + Tags.PROJECT + " tag: attach-storage runs"
                  + " only on nodes aether started"));
    } catch (SdkException e) {
      throw AwsErrors.translate("reading the tags of instance " + instanceId, e);
    }
  }

  Attached attach(AttachStorageRequest request) {
    Path mountPoint = mountRoot.resolve(request.name());
    try (AutoCloseable lock = host.lock()) {
      if (host.isMounted(mountPoint)) {
        return new Attached(mountPoint, Optional.empty(), Optional.empty());
      }
      String volume = create(request.sizeGb());
      String device;
      try {
        awaitVolume(volume, VolumeState.AVAILABLE, null);
        device = freeDeviceName();
        call("attaching " + volume + " to " + node.instanceId() + " as " + device,
            () -> ec2.attachVolume(b -> b.volumeId(volume).instanceId(node.instanceId())
                .device(device)));
      } catch (RuntimeException e) {
        deleteQuietly(volume);
        throw e;
      }
      awaitVolume(volume, VolumeState.IN_USE, VolumeAttachmentState.ATTACHED);
      call("setting DeleteOnTermination for " + volume,
          () -> ec2.modifyInstanceAttribute(b -> b.instanceId(node.instanceId())
              .blockDeviceMappings(m -> m.deviceName(device)
                  .ebs(e -> e.volumeId(volume).deleteOnTermination(true)))));
      Path disk = awaitDevice(volume, device);
      if (!hasFileSystem(disk)) {
        mustRun(List.of("mkfs.ext4", "-q", disk.toString()));
      }
      Files.createDirectories(mountPoint);
      mustRun(List.of("mount", disk.toString(), mountPoint.toString()));
      return new Attached(mountPoint, Optional.of(volume), Optional.of(disk));
    } catch (AetherException e) {
      throw e;
    } catch (Exception e) {
      throw new AetherException(AetherException.ERROR, "attach-storage failed for "
          + mountPoint + ": " + e.getMessage(), e);
    }
  }

  private String create(int sizeGb) {
    String id = call("creating a " + sizeGb + " GB gp3 volume in " + node.zone(),
        () -> ec2.createVolume(b -> b.availabilityZone(node.zone()).size(sizeGb)
            .volumeType(VolumeType.GP3)
            .tagSpecifications(Tags.spec(ResourceType.VOLUME, project)))).volumeId();
    // Network data: checked before it reaches a file name or a command's argument.
    if (id == null || !VOLUME_ID.matcher(id).matches()) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "CreateVolume answered an unexpected volume id: '" + id + "'");
    }
    log.info("created volume {} ({} GB) in {}", id, sizeGb, node.zone());
    return id;
  }

  /** The first of /dev/sdf..sdp that no volume attached to this instance uses. */
  private String freeDeviceName() {
    Set<String> used = new HashSet<>();
    call("listing the volumes of " + node.instanceId(), () -> ec2.describeVolumesPaginator(
            b -> b.filters(Filter.builder().name("attachment.instance-id")
                .values(node.instanceId()).build())).volumes().stream().toList())
        .forEach(v -> v.attachments().stream()
            .filter(a -> node.instanceId().equals(a.instanceId()))
            .forEach(a -> used.add(a.device().replace("/dev/xvd", "/dev/sd"))));
    for (char c = 'f'; c <= 'p'; c++) {
      String name = "/dev/sd" + c;
      if (!used.contains(name)) {
        return name;
      }
    }
    throw new AetherException(AetherException.UNEXPECTED_STATE, "instance " + node.instanceId()
        + " has volumes at every name from /dev/sdf to /dev/sdp; no room for another");
  }

  private void awaitVolume(String volume, VolumeState state, VolumeAttachmentState attachment)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Volume v = call("describing " + volume,
          () -> ec2.describeVolumes(b -> b.volumeIds(volume)).volumes()).stream().findFirst()
          .orElse(null);
      if (v != null && v.state() == state && (attachment == null || v.attachments().stream()
          .filter(a -> node.instanceId().equals(a.instanceId()))
          .map(VolumeAttachment::state).anyMatch(attachment::equals))) {
        return;
      }
      if (v != null && (v.state() == VolumeState.ERROR || v.state() == VolumeState.DELETED)) {
        throw new AetherException(AetherException.ERROR, "volume " + volume + " is "
            + v.stateAsString() + "; it was never usable");
      }
      if (System.nanoTime() > end) {
        throw new AetherException(AetherException.ERROR, "volume " + volume + " did not become "
            + (attachment == null ? state : attachment) + " within " + timeout
            + "; see it with `aws ec2 describe-volumes --volume-ids " + volume + "`");
      }
      Thread.sleep(poll.toMillis());
    }
  }

  private Path awaitDevice(String volume, String device) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Path> disk = host.device(volume, device);
      if (disk.isPresent()) {
        return disk.get();
      }
      if (System.nanoTime() > end) {
        throw new AetherException(AetherException.ERROR, "volume " + volume + " is attached as "
            + device + " but no block device appeared within " + timeout);
      }
      Thread.sleep(poll.toMillis());
    }
  }

  private boolean hasFileSystem(Path disk) {
    AttachStorageHost.Result r = host.run(List.of("blkid", "-p", disk.toString()));
    if (r.exit() == 0) {
      return true;
    }
    if (r.exit() == BLKID_NOTHING_FOUND) {
      return false;
    }
    throw new AetherException(AetherException.ERROR, "blkid -p " + disk + " failed with exit "
        + r.exit() + ": " + r.output());
  }

  private void mustRun(List<String> argv) {
    AttachStorageHost.Result r = host.run(argv);
    if (r.exit() != 0) {
      throw new AetherException(AetherException.ERROR, String.join(" ", argv)
          + " failed with exit " + r.exit() + ": " + r.output());
    }
  }

  private void deleteQuietly(String volume) {
    try {
      ec2.deleteVolume(b -> b.volumeId(volume));
    } catch (SdkException e) {
      log.warn("could not delete volume {} after a failed attach; delete it with"
          + " `aws ec2 delete-volume --volume-id {}`", volume, volume);
    }
  }

  private static <T> T call(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw AwsErrors.translate(what, e);
    }
  }
}
