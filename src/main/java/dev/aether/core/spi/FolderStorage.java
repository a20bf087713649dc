package dev.aether.core.spi;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A project bucket that is a folder: on this machine (the local provider) or on a file system
 * every node mounts (a cluster's shared file system). Keys are relative paths; a write goes to a
 * temporary file in the target's folder first and is moved into place, so readers (on this or
 * another node) never see half an object.
 */
public class FolderStorage implements Storage {
  private final Path root;

  /** The bucket in folder {@code root}; the folder is made by the first write, not here. */
  public FolderStorage(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** Makes the bucket's folder, so that a folder that cannot be made fails in the user's words. */
  private void createRoot() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR,
          "cannot create the project folder " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public void put(String key, Path source) {
    Path target = resolve(key);
    createRoot();
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
      try {
        // COPY_ATTRIBUTES keeps the execute bit of scripts and bin/ files.
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp); // a half copy on a full disk must not stay
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store " + source + " as " + target, e);
    }
  }

  @Override
  public void put(String key, byte[] content) {
    Path target = resolve(key);
    createRoot();
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
      try {
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  @Override
  public Optional<byte[]> read(String key) {
    try {
      return Optional.of(Files.readAllBytes(resolve(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resolve(key), e);
    }
  }

  @Override
  public boolean get(String key, Path target) {
    Path source = resolve(key);
    if (!Files.isRegularFile(source)) {
      return false;
    }
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.COPY_ATTRIBUTES);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    // Walk only the folder the prefix names, not the whole bucket (output/ may be large).
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(start)) {
      return files.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(k -> k.startsWith(prefix) && !k.contains("/.put-") && !k.startsWith(".put-"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + start, e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(resolve(key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + resolve(key), e);
    }
  }

  @Override
  public Optional<Path> localPath(String key) {
    return Optional.of(resolve(key));
  }

  /** The file for {@code key}; a key that would leave the bucket folder is refused. */
  private Path resolve(String key) {
    String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    if (k.isEmpty()) {
      return root;
    }
    Path p = root.resolve(k).normalize();
    if (k.startsWith("/") || !p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException("bucket key leaves the bucket: " + key);
    }
    return p;
  }
}
