package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.testing.ClassPathJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./aether launcher, linked onto PATH as a user installs it. */
class LauncherTest {
  @Test
  void runsFromASymlinkOnPathFromAnyFolder(@TempDir Path checkout, @TempDir Path bin,
      @TempDir Path elsewhere) throws Exception {
    Files.copy(Path.of("aether"), checkout.resolve("aether"));
    checkout.resolve("aether").toFile().setExecutable(true);
    // A checkout whose jar is newer than its sources: the launcher must not rebuild.
    Files.createDirectories(checkout.resolve("src/main"));
    Files.writeString(checkout.resolve("pom.xml"), "<project/>");
    FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(checkout.resolve("pom.xml"), old);
    Files.setLastModifiedTime(checkout.resolve("src/main"), old);
    ClassPathJar.write(checkout.resolve("target/aether.jar"));
    Files.createSymbolicLink(bin.resolve("aether"), checkout.resolve("aether"));

    // Through a shell, as a user types it: the shell finds aether on PATH.
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "aether --version")
        .directory(elsewhere.toFile())
        .redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("aether 0.1.0").doesNotContain("building");
  }
}
