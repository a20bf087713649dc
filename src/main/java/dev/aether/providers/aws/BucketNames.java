package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * S3's rules for general purpose bucket names, checked here so a bad project name fails before any
 * call to AWS, with the rule it broke. See
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
final class BucketNames {
  private static final Pattern CHARS = Pattern.compile("^[a-z0-9.-]+$");
  private static final Pattern IP = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
  private static final List<String> RESERVED_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
  private static final List<String> RESERVED_SUFFIXES =
      List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3");

  private BucketNames() {}

  /** Throws an exit-2 error naming the rule when {@code name} cannot be an S3 bucket name. */
  static String check(String name) {
    problem(name).ifPresent(p -> {
      throw AetherException.invalidInput(
          "Project name '" + name + "' cannot name an S3 bucket: " + p
              + ". Pick another -N/--name (3-63 lower-case letters, digits, '-' or '.').");
    });
    return name;
  }

  static Optional<String> problem(String name) {
    if (name == null || name.length() < 3 || name.length() > 63) {
      return Optional.of("it must be 3 to 63 characters long");
    }
    if (!CHARS.matcher(name).matches()) {
      return Optional.of("only lower-case letters, digits, '.' and '-' are allowed");
    }
    if (!Character.isLetterOrDigit(name.charAt(0))
        || !Character.isLetterOrDigit(name.charAt(name.length() - 1))) {
      return Optional.of("it must begin and end with a letter or digit");
    }
    if (name.contains("..")) {
      return Optional.of("it must not have two periods in a row");
    }
    if (IP.matcher(name).matches()) {
      return Optional.of("it must not look like an IP address");
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return Optional.of("the prefix '" + prefix + "' is reserved by AWS");
      }
    }
    for (String suffix : RESERVED_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return Optional.of("the suffix '" + suffix + "' is reserved by AWS");
      }
    }
    return Optional.empty();
  }
}
