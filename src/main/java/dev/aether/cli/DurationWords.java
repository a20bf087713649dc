package dev.aether.cli;

import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration as people write it on a command line: {@code 90s}, {@code 30m}, {@code 1h30m}. */
final class DurationWords {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

  private DurationWords() {}

  /**
   * Parses {@code value} (one or more NUMBER+UNIT parts, units ms, s, m, h, d; a bare number is
   * seconds); invalid input (exit 2) naming {@code option} otherwise, or when it is not above 0.
   */
  static Duration parse(String option, String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.matches("\\d+(\\.\\d+)?")) {
      v = v + "s";
    }
    Matcher m = PART.matcher(v);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      double n = Double.parseDouble(m.group(1));
      long millis = switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        case "h" -> 3_600_000;
        default -> 86_400_000;
      };
      total = total.plusMillis(Math.round(n * millis));
      end = m.end();
    }
    if (v.isEmpty() || end != v.length()) {
      throw AetherException.invalidInput(option + ": '" + value + "' is not a duration; write"
          + " e.g. 90s, 30m, 2h or 1h30m");
    }
    if (total.isZero()) {
      throw AetherException.invalidInput(option + " must be more than 0, got '" + value + "'");
    }
    return total;
  }
}
