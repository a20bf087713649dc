package dev.aether.core.pipeline.ledger;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The room left where a file lives, in a user's words, for messages about failed writes. */
public final class DiskSpace {
  private DiskSpace() {}

  /**
   * E.g. {@code "0 B free of 3.0 MB on /mnt/scratch (tmpfs)"}, {@code "... read-only"}, or why it
   * could not be told.
   */
  public static String describe(Path file) {
    Path at = file.toAbsolutePath();
    while (at != null && !Files.exists(at)) {
      at = at.getParent();
    }
    if (at == null) {
      return "its folder does not exist";
    }
    try {
      FileStore store = Files.getFileStore(at);
      String where = store.toString(); // "mount point (device)"
      String room = bytes(store.getUsableSpace()) + " free of " + bytes(store.getTotalSpace())
          + " on " + where;
      if (store.isReadOnly()) {
        return room + ", which is read-only";
      }
      if (Files.exists(file) && !Files.isWritable(file)) {
        return room + "; the file itself is not writable";
      }
      return room;
    } catch (IOException | SecurityException e) {
      return "free space unknown (" + e.getMessage() + ")";
    }
  }

  /** 1,536 -> "1.5 KB" (powers of 1024, one decimal). */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB", "PB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
