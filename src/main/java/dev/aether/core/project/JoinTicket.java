package dev.aether.core.project;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * How to join a running batch, published by its launcher for {@code aether join} while the batch
 * runs: the coordinator's address as this machine reaches it, the pipeline's token, and the job
 * size (so that {@code --slots N} can be turned into what a node reports). It lives in
 * {@code $AETHER_HOME/work/<name>/join.properties}, mode 0600 (written so from the start, never
 * readable by others even for a moment), and is deleted when the batch ends. It is the only file
 * that holds a token; the token is never printed ({@link #toString()} hides it).
 *
 * @param coordinator the coordinator's base URL on this machine (loopback)
 * @param token the pipeline's secret token
 * @param project the project name
 * @param processorsPerJob -P of the batch
 * @param memoryPerJobGb -M of the batch
 * @param launcherPid the launcher's process, to tell a running batch from a ticket left by a
 *     killed one
 */
public record JoinTicket(URI coordinator, String token, String project, int processorsPerJob,
    double memoryPerJobGb, long launcherPid) {
  private static final String FILE = "join.properties";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  public JoinTicket {
    Objects.requireNonNull(coordinator, "coordinator");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("empty token");
    }
    ProjectName.check(project);
    if (processorsPerJob < 1 || !(memoryPerJobGb > 0)) {
      throw new IllegalArgumentException("job size must be positive");
    }
  }

  /** Where project {@code name}'s ticket is while its batch runs. */
  public static Path file(ProjectDirs dirs, String name) {
    return dirs.work(name).resolve(FILE);
  }

  /** Writes the ticket, replacing an older one; readable and writable by its owner only. */
  public void write(Path file) {
    Properties p = new Properties();
    p.setProperty("coordinator", coordinator.toString());
    p.setProperty("token", token);
    p.setProperty("project", project);
    p.setProperty("processors", Integer.toString(processorsPerJob));
    p.setProperty("memory-gb", Double.toString(memoryPerJobGb));
    p.setProperty("launcher-pid", Long.toString(launcherPid));
    StringWriter w = new StringWriter();
    try {
      p.store(w, "how to join the running batch of " + project + " (aether join); secret");
      Files.createDirectories(file.getParent());
      // Made 0600 before the token is in it, then moved into place whole.
      Path part = Files.createTempFile(file.getParent(), ".join-", ".part",
          PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      try {
        Files.writeString(part, w.toString());
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Reads project {@code name}'s ticket: refused when missing (no batch runs), readable by others
   * (it may have leaked), or left by a launcher that has ended.
   */
  public static JoinTicket read(ProjectDirs dirs, String name) {
    Path file = file(dirs, name);
    if (!Files.isRegularFile(file)) {
      throw AetherException.invalidInput("no batch of project " + name + " is running on this"
          + " machine (" + file + " does not exist); start it first, then join");
    }
    Properties p = new Properties();
    try {
      if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
        throw AetherException.invalidInput(file + " may be read by other users (its mode must be"
            + " 0600); it holds the pipeline's token, so stop the batch and run it again");
      }
      p.load(new StringReader(Files.readString(file)));
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot read " + file + ": "
          + e.getMessage(), e);
    }
    JoinTicket t;
    try {
      t = new JoinTicket(URI.create(p.getProperty("coordinator", "")), p.getProperty("token"),
          p.getProperty("project", ""), Integer.parseInt(p.getProperty("processors", "0")),
          Double.parseDouble(p.getProperty("memory-gb", "0")),
          Long.parseLong(p.getProperty("launcher-pid", "0")));
    } catch (IllegalArgumentException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, file + " is damaged ("
          + e.getMessage() + "); stop the batch and run it again");
    }
    if (!ProcessHandle.of(t.launcherPid()).map(ProcessHandle::isAlive).orElse(false)) {
      throw AetherException.invalidInput("the batch of project " + name + " is no longer running"
          + " (its launcher, process " + t.launcherPid() + ", has ended); run it again, then join");
    }
    return t;
  }

  /** Whether the ticket at {@code file} is the one for the pipeline of {@code token}. */
  public static boolean holds(Path file, String token) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(file)));
    } catch (IOException e) {
      return false;
    }
    return token.equals(p.getProperty("token"));
  }

  /** Deletes the ticket at {@code file} if it is still this one (a newer run may have replaced it). */
  public void deleteIfCurrent(Path file) {
    if (holds(file, token)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + file, e);
      }
    }
  }

  @Override
  public String toString() {
    return "JoinTicket[coordinator=" + coordinator + ", token=***, project=" + project + "]";
  }
}
