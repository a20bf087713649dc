package dev.aether.core.pipeline.run;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The rule for links in the data folder ({@code -D}): every file of it is uploaded to the bucket,
 * and a link is uploaded as the file it points to, so a link that leaves the folder would carry a
 * file from elsewhere on this machine (a key, another project's data) into the bucket and onto
 * every node. Such links are refused, and so are links that point nowhere; links that stay
 * inside the folder are fine. To ship data that lives elsewhere, copy it in ({@code cp -rL}).
 */
public final class DataFolder {
  private DataFolder() {}

  /** Refuses (exit 2, naming the link) a link in {@code dir} that leaves it or points nowhere. */
  public static void check(Path dir) {
    Path root;
    try {
      root = dir.toRealPath();
    } catch (IOException e) {
      throw AetherException.invalidInput("the data folder (-D) " + dir + " cannot be read: "
          + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isSymbolicLink)::iterator) {
        Path target;
        try {
          target = p.toRealPath();
        } catch (IOException e) {
          throw AetherException.invalidInput("the data folder (-D) holds a link that points"
              + " nowhere: " + p + " -> " + linkText(p) + "; remove it or make it point to a"
              + " file in the folder");
        }
        if (!target.startsWith(root)) {
          throw AetherException.invalidInput("the data folder (-D) holds a link that leaves it: "
              + p + " -> " + target + "; aether would upload that file to the bucket and every"
              + " node. Copy what you need into the folder instead (e.g. cp -rL), or remove the"
              + " link");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the data folder " + dir, e);
    }
  }

  private static String linkText(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "?";
    }
  }
}
