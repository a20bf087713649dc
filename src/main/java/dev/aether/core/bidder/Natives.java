package dev.aether.core.bidder;

import com.google.ortools.Loader;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Loads OR-Tools' native libraries once per process.
 *
 * <p>OR-Tools' own {@link Loader} unpacks its 70 MB of libraries into a fresh temporary folder on
 * every start, which is most of a dry run's time. Here they are unpacked once into a folder of
 * the user's own ({@code $AETHER_HOME/cache/native}, default {@code ~/.aether}, mode 700) named
 * after the checksums the jar records for them, so a new OR-Tools version gets a new folder and a
 * later start only loads. Anything unexpected (another platform, libraries outside a jar, a
 * folder we cannot write) falls back to OR-Tools' Loader.
 */
final class Natives {
  private static final String PLATFORM = "ortools-linux-x86-64";
  private static final String LIBRARY = "libjniortools.so";
  private static volatile boolean loaded;

  private Natives() {}

  static void load() {
    if (!loaded) {
      synchronized (Natives.class) {
        if (!loaded) {
          boolean cached;
          try {
            cached = loadCached();
          } catch (IOException | URISyntaxException | RuntimeException | UnsatisfiedLinkError e) {
            cached = false;
          }
          if (!cached) {
            Loader.loadNativeLibraries();
          }
          loaded = true;
        }
      }
    }
  }

  private static boolean loadCached() throws IOException, URISyntaxException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return false;
    }
    URL lib = Natives.class.getClassLoader().getResource(PLATFORM + "/" + LIBRARY);
    if (lib == null || !"jar".equals(lib.getProtocol())) {
      return false;
    }
    Path jarPath = Path.of(((JarURLConnection) lib.openConnection()).getJarFileURL().toURI());
    try (JarFile jar = new JarFile(jarPath.toFile())) {
      List<JarEntry> entries = new ArrayList<>();
      CRC32 key = new CRC32();
      jar.stream()
          .filter(e -> e.getName().startsWith(PLATFORM + "/") && !e.isDirectory())
          .sorted(Comparator.comparing(JarEntry::getName))
          .forEach(e -> {
            entries.add(e);
            key.update((e.getName() + ":" + e.getSize() + ":" + e.getCrc() + "\n").getBytes());
          });
      Path base = cacheBase();
      Path target = base.resolve("ortools-" + Long.toHexString(key.getValue()));
      if (!Files.isRegularFile(target.resolve(".complete"))) {
        unpack(jar, entries, base, target);
      }
      System.load(target.resolve(LIBRARY).toAbsolutePath().toString());
      return true;
    }
  }

  /** Unpacks into a private temporary folder, then renames it into place in one step. */
  private static void unpack(JarFile jar, List<JarEntry> entries, Path base, Path target)
      throws IOException {
    Files.createDirectories(base);
    try {
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the folder keeps its default permissions
    }
    Path tmp = Files.createTempDirectory(base, "unpacking-");
    try {
      for (JarEntry e : entries) {
        Path out = tmp.resolve(e.getName().substring(PLATFORM.length() + 1)).normalize();
        if (!out.startsWith(tmp)) {
          throw new IOException("unexpected entry " + e.getName());
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = jar.getInputStream(e)) {
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.writeString(tmp.resolve(".complete"), "");
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // another process unpacked the same libraries first: use theirs
      }
    } finally {
      if (Files.exists(tmp)) {
        deleteTree(tmp);
      }
    }
  }

  private static Path cacheBase() {
    String home = System.getenv("AETHER_HOME");
    Path root = home != null && !home.isBlank() ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".aether");
    return root.resolve("cache").resolve("native");
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
