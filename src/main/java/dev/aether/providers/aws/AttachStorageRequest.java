package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.util.regex.Pattern;

/**
 * {@code attach-storage SIZE DEVMNT}: a new disk of {@code sizeGb} GB mounted at
 * {@code /mnt/<name>}. Checked here, at the boundary, before anything is asked of AWS or the OS.
 *
 * @param sizeGb 1 to 16384 (the gp3 limits: https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html)
 * @param name a simple folder name: letters, digits, {@code _} and {@code -}
 */
public record AttachStorageRequest(int sizeGb, String name) {
  static final int MAX_GB = 16_384;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public AttachStorageRequest {
    if (sizeGb < 1 || sizeGb > MAX_GB) {
      throw AetherException.invalidInput("SIZE must be 1 to " + MAX_GB + " (GB), got " + sizeGb);
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw AetherException.invalidInput("DEVMNT must be a simple name (letters, digits, _ and -,"
          + " at most 64), got '" + name + "'");
    }
  }

  /** From the command line's words; a SIZE that is not a whole number is invalid input. */
  public static AttachStorageRequest parse(String size, String name) {
    int gb;
    try {
      gb = Integer.parseInt(size.strip());
    } catch (NumberFormatException e) {
      throw AetherException.invalidInput("SIZE must be a whole number of GB (1 to " + MAX_GB
          + "), got '" + size + "'");
    }
    return new AttachStorageRequest(gb, name);
  }
}
