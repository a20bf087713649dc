package dev.aether.cli;

import dev.aether.core.project.ProjectName;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.LimitsFile;
import dev.aether.core.limits.QuotaKey;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The questions of {@code -I}, in the seed's order: only for values not given as options, each with
 * a default and a check. Limits asked for are saved to instances.json for later runs.
 */
final class InteractiveQuestions {
  private final AetherCommand c;
  private final Prompter ask;

  InteractiveQuestions(AetherCommand command, Prompter prompter) {
    this.c = command;
    this.ask = prompter;
  }

  void askForMissing() {
    if (c.argsFile == null) {
      c.argsFile = ask.ask("Args file (one job per line)", "args.txt", InteractiveQuestions::file);
    }
    if (c.script == null && !c.dryRun) {
      c.script = ask.ask("Job script", "script.sh", InteractiveQuestions::file);
    }
    if (c.binDir == null && !c.dryRun) {
      c.binDir = ask.ask("Folder of helper programs (bin/), or 'none'", "none",
          a -> a.equals("none") ? null : folder(a));
    }
    if (c.dataDir == null && !c.dryRun) {
      c.dataDir = ask.ask("Data folder (data/), or 'none'", "none",
          a -> a.equals("none") ? null : folder(a));
    }
    if (c.project.name == null) {
      c.project.name = ask.ask("Project name (names the bucket)", c.dryRun ? "demo" : null, a -> {
        try {
          ProjectName.check(a);
          return a;
        } catch (dev.aether.core.AetherException e) {
          throw new IllegalArgumentException(e.getMessage());
        }
      });
    }
    if (c.processors == null) {
      c.processors = ask.ask("Cores per job", "1", a -> positiveInt("cores", a));
    }
    if (c.memory == null) {
      c.memory = ask.ask("Memory per job, GB", "2", a -> {
        double gb = number("memory", a).doubleValue();
        if (gb <= 0) {
          throw new IllegalArgumentException("memory must be > 0 GB");
        }
        return gb;
      });
    }
    if (c.regionOption.region == null) {
      c.regionOption.region = ask.ask("Region", BidRequest.DEFAULT_REGION, a -> a);
    }
    if (c.weeks == null) {
      c.weeks = ask.ask("How many weeks will you run (spot price look-back)", "4",
          a -> positiveInt("weeks", a));
    }
    if (!c.dryRun && "aws".equals(c.provider) && c.keyId == null) {
      String id = ask.ask("AWS access key ID (blank: use the default credential chain)", "",
          a -> a);
      if (!id.isEmpty()) {
        c.keyId = id;
        c.key = ask.askSecret("AWS secret access key (not shown)").orElse(null);
      }
    }
    if (c.limitsFile == null && !Files.exists(BidRequest.DEFAULT_LIMITS)) {
      askLimits(BidRequest.DEFAULT_LIMITS);
    }
    if (c.hours == null) {
      askHours();
    }
  }

  /**
   * The hours one job runs: optional, asked last, so answers piped for the questions before it
   * still fit; input that ends here leaves it out.
   */
  private void askHours() {
    try {
      c.hours = ask.ask("Hours one job runs, expected (blank: no batch total)", "", a -> {
        if (a.isEmpty()) {
          return null;
        }
        double h = number("hours", a).doubleValue();
        if (!(h > 0)) {
          throw new IllegalArgumentException("hours must be > 0");
        }
        return h;
      });
    } catch (dev.aether.core.AetherException e) {
      if (!e.getMessage().contains("standard input ended")) {
        throw e;
      }
    }
  }

  /** Asks for the account's limits and saves them where later runs find them. */
  private void askLimits(Path target) {
    Map<String, Integer> perType = ask.ask(
        "Instance limits per type, e.g. 'c5.large=20 m5.xlarge=5' (blank: unlimited)", "",
        InteractiveQuestions::typeLimits);
    Map<QuotaKey, Integer> quotas = new HashMap<>();
    for (Market market : java.util.List.of(Market.ON_DEMAND, Market.SPOT)) {
      Integer q = ask.ask("vCPU quota for standard " + market.label()
          + " instances (blank: unlimited)", "", a -> a.isEmpty() ? null : positiveInt("quota", a));
      if (q != null) {
        quotas.put(new QuotaKey("standard", market), q);
      }
    }
    if (perType.isEmpty() && quotas.isEmpty()) {
      return;
    }
    LimitsFile.write(new Limits(perType, quotas), target);
    c.limitsFile = target;
  }

  static Map<String, Integer> typeLimits(String answer) {
    Map<String, Integer> limits = new TreeMap<>();
    for (String item : answer.split("[\\s,]+")) {
      if (item.isEmpty()) {
        continue;
      }
      String[] kv = item.split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new IllegalArgumentException("'" + item + "' is not TYPE=N");
      }
      limits.put(kv[0], nonNegativeInt("limit of " + kv[0], kv[1]));
    }
    return limits;
  }

  private static Path file(String answer) {
    Path p = Path.of(answer);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no such file: " + answer);
    }
    return p;
  }

  private static Path folder(String answer) {
    Path p = Path.of(answer);
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException("no such folder: " + answer);
    }
    return p;
  }

  private static int positiveInt(String what, String answer) {
    int n = nonNegativeInt(what, answer);
    if (n == 0) {
      throw new IllegalArgumentException(what + " must be > 0");
    }
    return n;
  }

  private static int nonNegativeInt(String what, String answer) {
    try {
      int n = Integer.parseInt(answer);
      if (n < 0) {
        throw new IllegalArgumentException(what + " must be >= 0, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + ": '" + answer + "' is not a whole number");
    }
  }

  private static BigDecimal number(String what, String answer) {
    try {
      return new BigDecimal(answer);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + ": '" + answer + "' is not a number");
    }
  }
}
