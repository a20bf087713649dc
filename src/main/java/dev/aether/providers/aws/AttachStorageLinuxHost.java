package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/** {@link AttachStorageHost} on a Linux node (run as root, as the agent's service is). */
final class AttachStorageLinuxHost implements AttachStorageHost {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  private static final Path LOCK = Path.of("/run/lock/aether-attach-storage.lock");

  @Override
  public boolean isMounted(Path folder) {
    try {
      String target = folder.toAbsolutePath().normalize().toString();
      // Field 5 of each line is the mount point, with spaces escaped as \040 (proc(5)).
      for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].replace("\\040", " ").equals(target)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot read " + MOUNTINFO + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * NVMe: {@code /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123...} (udev names it after
   * the serial, the volume id without its dash). Xen: {@code /dev/sdX} or {@code /dev/xvdX}. See
   * https://docs.aws.amazon.com/ebs/latest/userguide/identify-nvme-ebs-device.html
   */
  @Override
  public Optional<Path> device(String volumeId, String requestedName) {
    Path nvme = Path.of("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_"
        + volumeId.replace("-", ""));
    Path xen = Path.of(requestedName.replace("/dev/sd", "/dev/xvd"));
    for (Path p : List.of(nvme, Path.of(requestedName), xen)) {
      if (Files.exists(p)) {
        try {
          return Optional.of(p.toRealPath());
        } catch (IOException e) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public Result run(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.waitFor(), out.strip());
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot run " + argv.get(0) + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted while running " + argv.get(0));
    }
  }

  @Override
  public AutoCloseable lock() {
    try {
      Path file = Files.isDirectory(LOCK.getParent()) ? LOCK
          : Path.of(System.getProperty("java.io.tmpdir"), LOCK.getFileName().toString());
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = channel.lock();
      return () -> {
        lock.release();
        channel.close();
      };
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot lock " + LOCK + ": "
          + e.getMessage(), e);
    }
  }
}
