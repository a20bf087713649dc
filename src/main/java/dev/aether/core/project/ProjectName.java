package dev.aether.core.project;

import dev.aether.core.AetherException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for project names (-N/--name). A project name names the bucket on every provider
 * and a folder on this machine, so it takes what all of them accept: 3 to 63 lowercase letters,
 * digits and single hyphens, starting and ending with a letter or digit (S3 bucket names, Azure
 * Blob container names, file names), minus the prefixes and suffixes S3 reserves. Dots, which S3
 * allows, are left out: they break S3's virtual-hosted HTTPS names and Azure refuses them.
 * See https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html and
 * https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
 */
public final class ProjectName {
  private static final Pattern SHAPE = Pattern.compile("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$");
  private static final List<String> RESERVED_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
  private static final List<String> RESERVED_SUFFIXES =
      List.of("-s3alias", "--ol-s3", "--x-s3", "--table-s3");
  static final String RULE = "3 to 63 lowercase letters, digits and single hyphens, starting and"
      + " ending with a letter or digit; it names the bucket";

  private ProjectName() {}

  /** {@code name} when it is a valid project name; else an exit-2 error saying why. */
  public static String check(String name) {
    problem(name).ifPresent(p -> {
      throw AetherException.invalidInput("-N/--name: '" + name + "' is not a valid project name ("
          + p + ")");
    });
    return name;
  }

  /** What is wrong with {@code name}, in the user's words; empty when it is valid. */
  public static Optional<String> problem(String name) {
    if (name == null || !SHAPE.matcher(name).matches() || name.contains("--")) {
      return Optional.of(RULE);
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return Optional.of("the prefix '" + prefix + "' is reserved by AWS S3");
      }
    }
    for (String suffix : RESERVED_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return Optional.of("the suffix '" + suffix + "' is reserved by AWS S3");
      }
    }
    return Optional.empty();
  }
}
