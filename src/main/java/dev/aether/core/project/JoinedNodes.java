package dev.aether.core.project;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Nodes that joined a running batch from another {@code aether join} process on this machine,
 * each a file {@code $AETHER_HOME/work/<name>/joined/<node>} holding that process's id while it
 * runs. The launcher counts the ones whose process is alive among its live nodes, so a batch whose
 * own machines have all gone still waits for the machines that joined it.
 */
public final class JoinedNodes {
  private JoinedNodes() {}

  private static Path dir(ProjectDirs dirs, String name) {
    return dirs.work(name).resolve("joined");
  }

  /** Registers {@code node} as run by this process until the returned handle is closed. */
  public static AutoCloseable register(ProjectDirs dirs, String name, String node) {
    Path file = dir(dirs, name).resolve(node);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return () -> Files.deleteIfExists(file);
  }

  /** The joined nodes whose process still runs; files left by ended processes are removed. */
  public static List<String> alive(ProjectDirs dirs, String name) {
    Path dir = dir(dirs, name);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> alive = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Optional<Long> pid;
        try {
          pid = Optional.of(Long.parseLong(Files.readString(f).strip()));
        } catch (NumberFormatException | IOException e) {
          pid = Optional.empty();
        }
        if (pid.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false)) {
          alive.add(f.getFileName().toString());
        } else {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      return alive; // a listing that fails now is tried again at the next look
    }
    return alive;
  }
}
