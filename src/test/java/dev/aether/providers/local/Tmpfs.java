package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a folder the test made, unmounted when closed: a disk that fills up
 * for real. Needs root (the tests run as root in CI, where missing it is a failure, not a skip).
 */
final class Tmpfs implements AutoCloseable {
  final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  static Tmpfs mount(Path dir, String size) throws Exception {
    requireRoot("mount a tmpfs");
    Files.createDirectories(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "aether-test", dir.toString());
    return new Tmpfs(dir);
  }

  /** Fills the rest of the disk; returns the filler, which {@link Files#delete} frees. */
  Path fill() throws Exception {
    Path filler = dir.resolve("filler");
    new ProcessBuilder("sh", "-c", "cat /dev/zero > '" + filler + "'").start().waitFor();
    return filler;
  }

  @Override
  public void close() throws Exception {
    run("umount", "-l", dir.toString());
  }

  static void requireRoot(String why) {
    boolean root = "root".equals(System.getProperty("user.name"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(root).as("CI runs the tests as root, needed to " + why).isTrue();
    }
    Assumptions.assumeTrue(root, "needs root to " + why + " (runs in CI)");
  }

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
  }
}
