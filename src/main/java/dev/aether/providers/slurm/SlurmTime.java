package dev.aether.providers.slurm;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slurm's time strings (sbatch {@code --time}, a partition's {@code MaxTime}), as documented in
 * <a href="https://slurm.schedmd.com/sbatch.html#OPT_time">sbatch --time</a>: "minutes",
 * "minutes:seconds", "hours:minutes:seconds", "days-hours", "days-hours:minutes" and
 * "days-hours:minutes:seconds"; "UNLIMITED" or "INFINITE" for no limit.
 */
final class SlurmTime {
  private SlurmTime() {}

  private static final Pattern WITH_DAYS = Pattern.compile("(\\d+)-(\\d+)(?::(\\d+))?(?::(\\d+))?");
  private static final Pattern WITHOUT_DAYS = Pattern.compile("(\\d+)(?::(\\d+))?(?::(\\d+))?");

  /** The limit a string names; empty for no limit. */
  static Optional<Duration> parse(String text) {
    String t = text.strip();
    if (t.equalsIgnoreCase("UNLIMITED") || t.equalsIgnoreCase("INFINITE")) {
      return Optional.empty();
    }
    Matcher m = WITH_DAYS.matcher(t);
    if (m.matches()) {
      return Optional.of(Duration.ofDays(num(m, 1)).plusHours(num(m, 2))
          .plusMinutes(num(m, 3)).plusSeconds(num(m, 4)));
    }
    m = WITHOUT_DAYS.matcher(t);
    if (m.matches()) {
      if (m.group(3) != null) {
        return Optional.of(Duration.ofHours(num(m, 1)).plusMinutes(num(m, 2))
            .plusSeconds(num(m, 3)));
      }
      return Optional.of(Duration.ofMinutes(num(m, 1)).plusSeconds(num(m, 2)));
    }
    throw new IllegalArgumentException("not a Slurm time: '" + text + "'");
  }

  /** "days-hours:minutes:seconds", which every Slurm reads. */
  static String format(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("a time limit must be > 0, got " + d);
    }
    long s = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
    return String.format("%d-%02d:%02d:%02d", s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
  }

  /** Whole minutes, rounded up: Slurm keeps limits in minutes and rounds seconds up. */
  static long minutes(Duration d) {
    long s = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
    return (s + 59) / 60;
  }

  private static long num(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }
}
