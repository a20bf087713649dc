package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.pipeline.ProjectDirs;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.SavedPlan;
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
import dev.aether.providers.aws.AwsClients;
import picocli.CommandLine.Command;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code aether}: bid for machines, then run the batch (the seed's one command). Parses options,
 * asks for what is missing with {@code -I}, and calls the domain; nothing else.
 */
@Command(
    name = "aether",
    mixinStandardHelpOptions = true,
    subcommands = {StatusCommand.class, DownCommand.class, AttachStorageCommand.class,
        AgentCommand.class, CoordinateCommand.class},
    version = "aether 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Runs one job per line of the args file with your script, on the cheapest mix of machines.",
      "Without a cloud account it runs on this machine and prices the plan from an embedded "
          + "AWS price snapshot.",
      ""
    },
    footer = {
      "",
      "Credentials: use the AWS default credential chain (environment variables, ~/.aws "
          + "profiles). -E/-K still work but are visible to other users of this machine.",
      "Exit status: 0 every job done (or the dry run succeeded), 1 error or failed jobs, "
          + "2 invalid input, 3 unexpected state, 4 internal error."
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

  @Option(names = {"-N", "--name"}, description = "Project name; names the bucket.")
  String name;

  @Option(names = {"-E", "--key-ID"}, paramLabel = "ID",
      description = "AWS access key ID (prefer the default credential chain).")
  String keyId;

  @Option(names = {"-K", "--key"}, paramLabel = "KEY",
      description = "AWS secret access key (prefer the default credential chain).")
  String key;

  @Option(names = {"-R", "--region"}, description = "Region (default: us-east-1).")
  String region;

  @Option(names = {"-B", "--bin-dir"}, paramLabel = "DIR",
      description = "Folder of helper programs, reachable as bin/ by every job.")
  Path binDir;

  @Option(names = {"-S", "--script"}, description = "Job script, run once per args line.")
  Path script;

  @Option(names = {"-D", "--data"}, paramLabel = "DIR",
      description = "Data folder, reachable as data/ by every job.")
  Path dataDir;

  // --- bidder ---
  @Option(names = "--catalog", paramLabel = "CSV",
      description = "Price catalog CSV (default: the embedded AWS snapshot). See docs/catalog.md.")
  Path catalogFile;

  @Option(names = "--limits", paramLabel = "JSON",
      description = "Account limits file (default: instances.json if present).")
  Path limitsFile;

  @Option(names = "--weeks", description = "Weeks you expect to run; the spot price look-back "
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

  @Option(names = "--objective", paramLabel = "seed|cost|expected",
      description = "seed (default): smallest worst case, then cheapest now; cost: cheapest now; "
          + "expected: least expected cost of the whole batch, interrupted jobs re-run (needs "
          + "--hours).")
  String objective;

  @Option(names = "--hours", paramLabel = "H", description = "Hours one job is expected to run:"
      + " the plan then shows the batch's expected total and when it ends, next to all"
      + " on-demand.")
  Double hours;

  @Option(names = "--budget", paramLabel = "USD", description = "Most the whole batch may cost,"
      + " expected, interrupted jobs re-run included (needs --hours).")
  BigDecimal budget;

  @Option(names = "--max-pool-share", paramLabel = "F", description = "Most of the jobs at once"
      + " that one spot pool (type and zone) may hold, above 0 and up to 1 (default: "
      + BidRequest.DEFAULT_POOL_SHARE + "; 1 = no bound): one reclaim cannot take more.")
  BigDecimal maxPoolShare;

  @Option(names = "--risk-step", paramLabel = "USD",
      description = "Round the worst-case bound up to this step (default: 1.0; 0 = exact).")
  BigDecimal riskStep;

  @Option(names = "--arch", description = "CPU architecture of the machines: x86_64 (default), "
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

  @Option(names = "--provider", paramLabel = "local|aws",
      description = "Where to run: local (this machine) or aws. Default: aws when AWS "
          + "credentials are found, else local.")
  String provider;

  @Option(names = "--aether-home", paramLabel = "DIR",
      description = "Where Aether keeps projects (default: $AETHER_HOME, else ~/.aether).")
  Path home;

  @Option(names = "--offline", description = "On AWS, bid from the embedded price snapshot instead"
      + " of reading the account's live prices and vCPU quotas.")
  boolean offline;

  @Option(names = "--live-prices", description = "With --dry-run on AWS, read the account's live "
      + "prices and vCPU quotas (read-only calls; nothing is started). Without it a dry run makes "
      + "no network call and bids from the embedded snapshot.")
  boolean livePrices;

  @Option(names = "--instance-profile", paramLabel = "NAME", description = "IAM instance profile"
      + " the AWS nodes run with (default: aether-node; its policy is in docs/aws.md).")
  String instanceProfile = "aether-node";

  @Option(names = "--coordinator-port", paramLabel = "PORT", description = "On AWS, the port the"
      + " coordinator node listens on, open to the VPC only (default: 7070).")
  int coordinatorPort = AwsRun.DEFAULT_PORT;

  @Option(names = "--agent-jar", hidden = true, paramLabel = "JAR",
      description = "The jar AWS nodes run (default: the one aether runs from).")
  Path agentJar;

  /** The AWS clients to read live prices and quotas with; null when bidding offline. */
  AwsClients liveAws;

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
    boolean savedPlan = provisioningFile != null && Files.exists(provisioningFile);
    if (!savedPlan) {
      Bidder.prepare(); // load the solvers while the inputs are read
    }
    RunOptions runOptions = runOptions();
    AwsClients aws = null;
    if (runOptions.runOn().equals("aws")) {
      aws = AwsClients.forRegion(region == null ? BidRequest.DEFAULT_REGION : region,
          credentials(), System.getenv());
      // A dry run touches no cloud unless asked to read live prices.
      boolean live = !offline && catalogFile == null && (!dryRun || livePrices);
      liveAws = live ? aws : null;
    }
    BidRequest request = BidRequest.from(this); // checks every option before anything runs
    List<ProvisionedInstance> instances;
    if (savedPlan) {
      instances = ProvisioningFile.readFor(provisioningFile, request.processors(),
          request.memoryGb());
      out.println("Using the saved plan in " + provisioningFile + " (" + instances.size()
          + " instances); the bidder was skipped.");
      new PlanTable(out).printSaved(request,
          SavedPlan.of(instances, request.regionCatalog(), request.baseRequirements()));
    } else {
      BidOutcome outcome = BidStep.bid(request);
      new PlanTable(out).print(outcome);
      instances = ProvisioningFile.instancesOf(outcome.plan());
      Path target = provisioningFile != null ? provisioningFile : Path.of("prov.psv");
      ProvisioningFile.write(instances, target);
      out.println("Wrote " + target + " (" + instances.size()
          + (instances.size() == 1 ? " instance)." : " instances)."));
    }
    if (dryRun) {
      return 0;
    }
    return new RunStep(request, instances, runOptions, aws, out).run();
  }

  /** -E/-K when given (never printed), else the SDK's default chain. */
  private AwsCredentialsProvider credentials() {
    if (keyId == null && key == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    if (keyId == null || key == null) {
      throw AetherException.invalidInput(keyId == null ? "-E/--key-ID is missing: -K needs it"
          : "-K/--key is missing: -E needs it");
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, key));
  }

  ProjectDirs dirs() {
    return ProjectDirs.of(home);
  }

  private RunOptions runOptions() {
    if (maxAttempts < 1) {
      throw AetherException.invalidInput("--max-attempts must be at least 1, got " + maxAttempts);
    }
    if (provider != null && !provider.equals("local") && !provider.equals("aws")) {
      throw AetherException.invalidInput("--provider: '" + provider + "' is not one of: local, aws");
    }
    if (instanceProfile == null || instanceProfile.isBlank()) {
      throw AetherException.invalidInput("--instance-profile is empty");
    }
    if (coordinatorPort < 1 || coordinatorPort > 65535) {
      throw AetherException.invalidInput("--coordinator-port must be 1 to 65535, got "
          + coordinatorPort);
    }
    String chosen = provider != null ? provider
        : RunStep.hasAwsCredentials(System.getenv(), Path.of(System.getProperty("user.home")))
            || keyId != null ? "aws" : "local";
    return new RunOptions(Optional.ofNullable(provider), chosen, maxAttempts, restart, dirs(), instanceProfile,
        coordinatorPort, Optional.ofNullable(agentJar));
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
      case "expected":
        return Objective.EXPECTED;
      default:
        throw AetherException.invalidInput(
            "--objective: '" + value + "' is not one of: seed, cost, expected");
    }
  }
}
