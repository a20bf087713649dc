package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.Provider;
import dev.aether.providers.aws.AwsProvider;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether}: bid for machines, then run the batch (the seed's one command). Parses options,
 * asks for what is missing with {@code -I}, and calls the domain; nothing else.
 */
@Command(
    name = "aether",
    mixinStandardHelpOptions = true,
    subcommands = {StatusCommand.class, DownCommand.class, AttachStorageCommand.class,
        CompletionCommand.class, AgentCommand.class, CoordinateCommand.class,
        picocli.codegen.docgen.manpage.ManPageGenerator.class,
        picocli.CommandLine.HelpCommand.class},
    version = "aether 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    abbreviateSynopsis = true,
    commandListHeading = "%nCommands:%n",
    description = {
      "Runs one job per line of the args file with your script, on the cheapest mix of machines.",
      "Without a cloud account it runs on this machine and prices the plan from an embedded "
          + "AWS price snapshot.",
      ""
    },
    footer = {
      "",
      "Project names: 3 to 63 lowercase letters, digits and single hyphens, starting and ending"
          + " with a letter or digit (the name names the bucket on every provider).",
      "Credentials: use the AWS default credential chain (environment variables, ~/.aws "
          + "profiles). -E/-K still work but are visible to other users of this machine. Azure: "
          + "az login, or a service principal in AZURE_* variables; never a password.",
      "Exit status: 0 every job done (or the dry run succeeded), 1 error or failed jobs, "
          + "2 invalid input, 3 unexpected state, 4 internal error.",
      "See `aether help COMMAND` for a command's options, and docs/ for the details."
    })
final class AetherCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  // --- the seed's flags, same names and meaning ---
  @Option(names = {"-I", "--interactive"}, description = "Ask for every missing value.")
  boolean interactive;

  @Option(names = "--dry-run", description = "Bid and show the plan and its cost; start nothing.")
  boolean dryRun;

  @Option(names = {"-A", "--input-file"}, paramLabel = "ARGS",
      description = "Args file: one job per line (blank and # lines are not jobs).")
  Path argsFile;

  @Option(names = {"-L", "--provisioning-file"}, paramLabel = "PSV",
      description = "Plan file (default: prov.psv). Given explicitly and existing: run from it, "
          + "skipping the bidder.")
  Path provisioningFile;

  @Option(names = {"-P", "--processors"}, paramLabel = "CORES",
      description = "Cores one job uses.")
  Integer processors;

  @Option(names = {"-M", "--memory"}, paramLabel = "GB", description = "Memory one job uses, GB.")
  Double memory;

  @Mixin ProjectOption project = new ProjectOption();

  @Option(names = {"-E", "--key-ID"}, paramLabel = "ID",
      description = "AWS access key ID (prefer the default credential chain).")
  String keyId;

  @Option(names = {"-K", "--key"}, paramLabel = "KEY",
      description = "AWS secret access key (prefer the default credential chain).")
  String key;

  @Mixin RegionOption regionOption = new RegionOption();

  @Option(names = {"-B", "--bin-dir"}, paramLabel = "DIR",
      description = "Folder of helper programs, reachable as bin/ by every job.")
  Path binDir;

  @Option(names = {"-S", "--script"}, paramLabel = "SCRIPT",
      description = "Job script, run once per args line.")
  Path script;

  @Option(names = {"-D", "--data"}, paramLabel = "DIR",
      description = "Data folder, reachable as data/ by every job.")
  Path dataDir;

  // --- bidder ---
  @Option(names = "--catalog", paramLabel = "CSV",
      description = "Price catalog CSV (default: the provider's embedded snapshot). See "
          + "docs/catalog.md.")
  Path catalogFile;

  @Option(names = "--limits", paramLabel = "JSON",
      description = "Account limits file (default: instances.json if present).")
  Path limitsFile;

  @Option(names = "--weeks", paramLabel = "N", description = "Weeks you expect to run; the spot price look-back "
      + "window (default: 4).")
  Integer weeks;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Jobs to run at once (default: every job, within the limits).")
  Integer concurrency;

  @Option(names = "--min-cores", paramLabel = "N", description = "At least N cores in total.")
  Integer minCores;

  @Option(names = "--min-ram", paramLabel = "GB", description = "At least this much RAM in total.")
  Double minRam;

  @Option(names = "--min-storage", paramLabel = "GB",
      description = "At least this much instance storage in total.")
  Integer minStorage;

  @Option(names = "--max-cost", paramLabel = "USD",
      description = "Most the plan may cost per hour in the worst case.")
  BigDecimal maxCost;

  @Option(names = "--objective", paramLabel = "OBJECTIVE",
      description = "seed (default): smallest worst case, then cheapest now; cost: cheapest now.")
  String objective;

  @Option(names = "--risk-step", paramLabel = "USD",
      description = "Round the worst-case bound up to this step (default: 1.0; 0 = exact).")
  BigDecimal riskStep;

  @Option(names = "--arch", paramLabel = "ARCH", description = "CPU architecture of the machines: x86_64 (default), "
      + "arm64 or any.")
  String arch;

  @Option(names = "--burstable", description = "Also consider burstable types (t2, t3, t3a, "
      + "t4g), whose CPU is throttled once their credits are spent under sustained load.")
  boolean burstable;

  @Option(names = "--previous-generation", description = "Also consider previous-generation "
      + "types (m1, c3, m4, r4, ...): slower per vCPU than their price suggests.")
  boolean previousGeneration;

  @Option(names = "--accelerators", description = "Also consider GPU, FPGA, Inferentia and "
      + "Trainium types (their vCPU quotas are often 0 on new accounts).")
  boolean accelerators;

  @Option(names = "--export-model", paramLabel = "FILE",
      description = "Write the integer program as LP (.lp) or MPS (.mps) for cbc or glpsol.")
  Path exportModel;

  private final InputStream stdin;
  private final PrintStream out;
  private final PrintStream err;

  AetherCommand(InputStream stdin, PrintStream out, PrintStream err) {
    this.stdin = stdin;
    this.out = out;
    this.err = err;
  }

  @Option(names = "--provider", paramLabel = "NAME",
      description = "Where to run: local (this machine), aws or azure. Default: aws when AWS "
          + "credentials are found, else local (azure runs only when named).")
  String provider;

  @Mixin HomeOption homeOption = new HomeOption();

  @Option(names = "--offline", description = "On a cloud, bid from the embedded price snapshot"
      + " instead of reading live prices and the account's vCPU quotas.")
  boolean offline;

  @Option(names = "--live-prices", description = "With --dry-run on a cloud, read live prices "
      + "and the account's vCPU quotas (read-only calls; nothing is started). Without it a dry run "
      + "makes no network call and bids from the embedded snapshot.")
  boolean livePricesWanted;

  @Option(names = "--instance-profile", paramLabel = "NAME", description = "IAM instance profile"
      + " the AWS nodes run with (default: aether-node; its policy is in docs/aws.md).")
  String instanceProfile = AwsProvider.DEFAULT_INSTANCE_PROFILE;

  @Option(names = "--coordinator-port", paramLabel = "PORT", description = "On AWS and Azure, the"
      + " port the coordinator node listens on, open to the VPC or VNet only (default: 7070).")
  int coordinatorPort = AwsProvider.DEFAULT_PORT;

  @Option(names = "--agent-jar", hidden = true, paramLabel = "JAR",
      description = "The jar AWS nodes run (default: the one aether runs from).")
  Path agentJar;

  /** The provider to read live prices and quotas from; empty when bidding from a snapshot. */
  Optional<Provider> livePrices = Optional.empty();

  /** The provider the batch runs on, once resolved. */
  private Provider chosen;

  @Option(names = "--subscription", paramLabel = "ID", description = "On Azure, the subscription"
      + " to use (default: AZURE_SUBSCRIPTION_ID, else the one `az account set` chose).")
  String subscription;

  @Option(names = "--max-attempts", paramLabel = "N",
      description = "Runs a job gets before it counts as failed (default: 3).")
  int maxAttempts = 3;

  @Option(names = "--restart", description = "Forget the project's earlier run and run every job "
      + "again (needed when the args file changed).")
  boolean restart;

  @Override
  public Integer call() {
    boolean keysOnCommandLine = keyId != null || key != null;
    if (interactive) {
      new InteractiveQuestions(this, new Prompter(
          new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)), out,
          System.console())).askForMissing();
    }
    if (keysOnCommandLine) {
      err.println("aether: warning: -E/-K put your AWS keys on the command line, where other "
          + "users of this machine can read them; prefer environment variables or ~/.aws.");
    }
    RunOptions runOptions = runOptions();
    Provider chosen = ProviderRegistry.resolve(providerChoice());
    this.chosen = chosen;
    // A dry run touches no cloud unless asked to read live prices.
    boolean live = chosen.can(Capability.LIVE_PRICES) && !offline && catalogFile == null
        && (!dryRun || livePricesWanted);
    livePrices = live ? Optional.of(chosen) : Optional.empty();
    BidRequest request = BidRequest.from(this); // checks every option before anything runs
    if (!dryRun && !restart) {
      Optional<String> done = PreviousRun.check(dirs(), request);
      if (done.isPresent()) {
        out.println(done.get());
        return 0;
      }
    }
    List<ProvisionedInstance> instances;
    if (provisioningFile != null && Files.exists(provisioningFile)) {
      instances = ProvisioningFile.read(provisioningFile);
      out.println("Using the saved plan in " + provisioningFile + " (" + instances.size()
          + " instances); the bidder was skipped.");
    } else {
      BidOutcome outcome = BidStep.bid(request);
      new PlanTable(out).print(outcome);
      instances = ProvisioningFile.instancesOf(outcome.plan());
      Path target = provisioningFile != null ? provisioningFile : Path.of(BucketLayout.PLAN);
      ProvisioningFile.write(instances, target);
      out.println("Wrote " + target + " (" + instances.size()
          + (instances.size() == 1 ? " instance)." : " instances)."));
    }
    if (dryRun) {
      return 0;
    }
    return new RunStep(request, instances, runOptions, chosen, out).run();
  }

  /** What --provider, -R, -E/-K, --subscription and the node options say, for the registry. */
  ProviderChoice providerChoice() {
    return new ProviderChoice(Optional.ofNullable(provider), region(), Optional.ofNullable(keyId),
        Optional.ofNullable(key), instanceProfile, coordinatorPort, dirs(),
        Optional.ofNullable(subscription));
  }

  String region() {
    return regionOption.region != null ? regionOption.region
        : ProviderRegistry.defaultRegion(Optional.ofNullable(provider));
  }

  /** The prices to bid from when no live prices are read: the chosen provider's snapshot. */
  Catalog offlineCatalog() {
    return chosen != null ? chosen.embeddedCatalog() : EmbeddedCatalog.load();
  }

  ProjectDirs dirs() {
    return homeOption.dirs();
  }

  private RunOptions runOptions() {
    if (maxAttempts < 1) {
      throw AetherException.invalidInput("--max-attempts must be at least 1, got " + maxAttempts);
    }
    return new RunOptions(provider != null, maxAttempts, restart, dirs(),
        Optional.ofNullable(agentJar));
  }

  static Objective parseObjective(String value) {
    if (value == null) {
      return Objective.SEED;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "seed":
        return Objective.SEED;
      case "cost":
        return Objective.COST;
      default:
        throw AetherException.invalidInput(
            "--objective: '" + value + "' is not one of: seed, cost");
    }
  }
}
