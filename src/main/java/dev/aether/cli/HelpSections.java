package dev.aether.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code aether --help} in sections a user reads top-down (the job, the bidder, where it runs,
 * credentials) instead of one long list. Options not named here land in "Other options", so a new
 * option is never hidden.
 */
final class HelpSections {
  private static final Map<String, List<String>> SECTIONS = new LinkedHashMap<>();

  static {
    SECTIONS.put("What to do", List.of("--interactive", "--dry-run", "--provisioning-file",
        "--help", "--version"));
    SECTIONS.put("The job", List.of("--input-file", "--script", "--bin-dir", "--data",
        "--processors", "--memory", "--name", "--max-attempts", "--restart",
        "--job-timeout", "--hours"));
    SECTIONS.put("The bidder", List.of("--catalog", "--limits", "--weeks", "--concurrency",
        "--min-cores", "--min-ram", "--min-storage", "--max-cost", "--budget", "--objective",
        "--risk-step", "--max-pool-share",
        "--arch", "--burstable", "--previous-generation", "--accelerators", "--export-model",
        "--offline", "--live-prices"));
    SECTIONS.put("Where it runs", List.of("--provider", "--region", "--aether-home",
        "--instance-profile", "--coordinator-profile", "--subscription", "--coordinator-port",
        "--join-deadline", "--spot-attempts", "--hosts", "--ssh-config",
        "--connect-timeout", "--partition", "--account", "--time", "--nodes", "--sbatch-arg",
        "--bucket", "--coordinator-host"));
    SECTIONS.put("Credentials (prefer your cloud's default credentials)",
        List.of("--key-ID", "--key"));
  }

  private HelpSections() {}

  /** Replaces the option list of {@code cli}'s usage help with the sections above. */
  static void install(CommandLine cli) {
    cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING,
        help -> "");
    cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
        HelpSections::render);
  }

  private static String render(Help help) {
    StringBuilder out = new StringBuilder();
    List<OptionSpec> left = new ArrayList<>(help.commandSpec().options().stream()
        .filter(o -> !o.hidden()).toList());
    for (Map.Entry<String, List<String>> section : SECTIONS.entrySet()) {
      List<OptionSpec> options = section.getValue().stream()
          .map(n -> help.commandSpec().findOption(n)).filter(Objects::nonNull)
          .filter(o -> !o.hidden()).toList();
      left.removeAll(options);
      append(out, help, section.getKey(), options);
    }
    append(out, help, "Other options", left);
    return out.toString();
  }

  private static void append(StringBuilder out, Help help, String heading,
      List<OptionSpec> options) {
    if (options.isEmpty()) {
      return;
    }
    Help.Layout layout = help.createDefaultLayout();
    for (OptionSpec o : options) {
      layout.addOption(o, help.createDefaultParamLabelRenderer());
    }
    out.append(String.format("%n%s:%n", heading)).append(layout);
  }
}
