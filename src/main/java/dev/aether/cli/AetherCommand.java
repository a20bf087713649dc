package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Objective;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.providers.aws.AwsProvider;
import dev.aether.providers.slurm.SlurmProvider;
import dev.aether.core.plan.SavedPlan;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    subcommands = {CheckCommand.class, StatusCommand.class, DownCommand.class,
        AttachStorageCommand.class, CompletionCommand.class, JoinCommand.class,
        AgentCommand.class, CoordinateCommand.class, SimulateCommand.class,
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
          + "2 invalid input, 3 unexpected state (every node stopped; the job ledger cannot be"
          + " written: rerun to resume), 4 internal error, 130/143 stopped by SIGINT/SIGTERM"
          + " (rerun to resume).",
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
      description = "Where to run: local (this machine), aws, azure, ssh (your own machines,"
          + " --hosts) or slurm (from a login node of your cluster). Default: aws when AWS"
          + " credentials are found, else local (azure, ssh and slurm run only when named).")
  String provider;

  @Option(names = "--hosts", paramLabel = "FILE", description = "With --provider ssh: your"
      + " machines, one [user@]host[:port] a line, optionally followed by slots=N (see"
      + " docs/ssh.md).")
  Path hostsFile;

  @Option(names = "--ssh-config", paramLabel = "FILE", description = "With --provider ssh: an"
      + " ssh_config to read instead of ~/.ssh/config.")
  Path sshConfig;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "With --provider"
      + " ssh: how long each host may take to answer (default: 10).")
  int connectTimeout = SshChoice.DEFAULT_CONNECT_TIMEOUT;

  // For tests, and for whoever needs a dropped node's jobs back sooner than the default minute.
  @Option(names = "--lease-timeout", hidden = true, paramLabel = "SECONDS",
      description = "How long a silent node keeps its jobs (default: 60).")
  Double leaseTimeoutSeconds;

  @Mixin HomeOption homeOption = new HomeOption();

  @Option(names = "--offline", description = "On a cloud, bid from the embedded price snapshot"
      + " instead of reading live prices and the account's vCPU quotas.")
  boolean offline;

  @Option(names = "--live-prices", description = "With --dry-run on a cloud, read live prices "
      + "and the account's vCPU quotas (read-only calls; nothing is started). Without it a dry run "
      + "makes no network call and bids from the embedded snapshot.")
  boolean livePricesWanted;

  @Option(names = "--instance-profile", paramLabel = "NAME", description = "IAM instance profile"
      + " the AWS workers run with (default: aether-worker; its policy is in docs/aws.md).")
  String instanceProfile = AwsProvider.DEFAULT_INSTANCE_PROFILE;

  @Option(names = "--coordinator-profile", paramLabel = "NAME", description = "IAM instance"
      + " profile of the AWS coordinator node, which starts and ends the workers (default:"
      + " aether-coordinator; see docs/aws.md).")
  String coordinatorProfile = AwsProvider.DEFAULT_COORDINATOR_PROFILE;

  @Option(names = "--coordinator-port", paramLabel = "PORT", description = "On AWS and Azure, the"
      + " port the coordinator node listens on, open to the VPC or VNet only (default: 7070).")
  int coordinatorPort = AwsProvider.DEFAULT_PORT;

  @Option(names = "--join-deadline", paramLabel = "SECONDS", description = "On a cloud, how long"
      + " a node has from its launch to join the batch; one that has not is terminated (its"
      + " console output kept in the bucket) and replaced (default: 600).")
  long joinDeadlineSeconds = 600;

  @Option(names = "--agent-jar", hidden = true, paramLabel = "JAR",
      description = "The jar AWS nodes run (default: the one aether runs from).")
  Path agentJar;

  // --- a cluster (Slurm) ---
  @Option(names = "--partition", paramLabel = "NAME", description = "On Slurm, the partition"
      + " the agent jobs run in (default: the cluster's default partition).")
  String partition;

  @Option(names = "--account", paramLabel = "NAME", description = "On Slurm, the account the"
      + " agent jobs are charged to (default: your default account).")
  String account;

  @Option(names = "--time", paramLabel = "HH:MM:SS", description = "On Slurm, each agent job's"
      + " time limit (sbatch --time; default: the partition's). An agent hands its jobs back"
      + " before it ends.")
  String time;

  @Option(names = "--nodes", paramLabel = "N", description = "On Slurm, submit N agent jobs, each"
      + " running its share of the jobs at once, up to a whole node (default: one agent job per"
      + " job at once, at most 100).")
  Integer nodes;

  @Option(names = "--sbatch-arg", paramLabel = "ARG", description = "On Slurm, one more sbatch"
      + " option for the agent jobs, e.g. --sbatch-arg=--qos=high (repeatable).")
  List<String> sbatchArgs = new ArrayList<>();

  @Option(names = "--bucket", paramLabel = "DIR", description = "On Slurm, the project folder on"
      + " the shared file system (default: $AETHER_HOME/projects/NAME).")
  Path bucket;

  @Option(names = "--coordinator-host", paramLabel = "HOST", description = "On Slurm, the"
      + " address the compute nodes reach this login node at (default: its address on the way"
      + " to slurmctld).")
  String coordinatorHost;

  /** The provider to read live prices and quotas from; empty when bidding from a snapshot. */
  Optional<Provider> livePrices = Optional.empty();

  /** The provider the batch runs on: the bidder bids only the offers it can start. */
  private Optional<Provider> chosenProvider = Optional.empty();

  void provider(Provider p) {
    chosenProvider = Optional.of(p);
  }

  Optional<Provider> chosenProvider() {
    return chosenProvider;
  }

  @Option(names = "--subscription", paramLabel = "ID", description = "On Azure, the subscription"
      + " to use (default: AZURE_SUBSCRIPTION_ID, else the one `az account set` chose).")
  String subscription;

  @Option(names = "--max-attempts", paramLabel = "N",
      description = "Runs a job gets before it counts as failed (default: 3).")
  int maxAttempts = 3;

  /**
   * K = 2: a spot pool is interrupted a few times a month at most (AWS's Spot Instance Advisor
   * bands run from under 5% to over 20% a month), so a job interrupted twice is rarely chance: it
   * is long, or its pools are being reclaimed in a wave. Two lost runs bound the waste; a third on
   * spot would risk a third.
   */
  @Option(names = "--spot-attempts", paramLabel = "K", description = "After K spot interruptions"
      + " of the same job, its next attempt runs on on-demand capacity (default: 2).")
  int spotAttempts = 2;

  @Option(names = "--restart", description = "Forget the project's earlier run and run every job "
      + "again (needed when the args file changed).")
  boolean restart;

  @Option(names = "--job-timeout", paramLabel = "DURATION", description = "Kill a job that runs"
      + " longer than this (e.g. 90s, 30m, 2h), with every process it started; it counts as a"
      + " failed attempt (exit 124 in its log). Default: no limit.")
  String jobTimeout;

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
    Provider chosen = ProviderRegistry.resolve(providerChoice());
    // A dry run touches no cloud unless asked to read live prices.
    boolean live = chosen.can(Capability.LIVE_PRICES) && !offline && catalogFile == null
        && (!dryRun || livePricesWanted);
    livePrices = live ? Optional.of(chosen) : Optional.empty();
    provider(chosen);
    BidRequest request = BidRequest.from(this); // checks every option before anything runs
    if (!dryRun && !restart) {
      Optional<String> done = PreviousRun.check(dirs(), request);
      if (done.isPresent()) {
        out.println(done.get());
        return 0;
      }
    }
    if (chosen.can(Capability.OWN_MACHINES)) {
      return onOwnMachines(request, runOptions);
    }
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

  /**
   * The user's own machines (their SSH hosts, their cluster's agent jobs): nothing to bid for.
   * The provider checks them (a host logged in with Java found, a partition that can hold the
   * jobs) before anything is uploaded or started; the plan shown is what they offer.
   */
  private int onOwnMachines(BidRequest request, RunOptions runOptions) {
    // A dry run may have no -N: its project is only opened to check the machines; nothing is made.
    String name = dryRun ? request.name().orElse("dry-run") : request.name().orElseThrow();
    // The jobs at once, as the request settled them (capped at the number of jobs).
    Provider sized = ProviderRegistry.resolve(providerChoice(Optional.of(
        new SlurmProvider.JobShape(request.processors(), request.memoryGb(),
            request.baseRequirements().slots()))));
    try (ProviderProject project = sized.open(name)) {
      List<ProvisionedInstance> nodes = project.fixedNodes().orElseThrow(() ->
          new AetherException(AetherException.INTERNAL, "the " + sized.name()
              + " provider has no machines to list"));
      new FixedPlanTable(out).print(request, sized.name(), nodes, project.describe(nodes));
      if (dryRun) {
        return 0;
      }
      return new RunStep(request, nodes, runOptions, sized, out).run(project);
    }
  }

  /** What --provider, -R, -E/-K, --subscription, the node, SSH and cluster options say. */
  ProviderChoice providerChoice() {
    return providerChoice(Optional.empty());
  }

  private ProviderChoice providerChoice(Optional<SlurmProvider.JobShape> jobs) {
    ClusterOptions cluster = new ClusterOptions(Optional.ofNullable(partition),
        Optional.ofNullable(account), Optional.ofNullable(time), Optional.ofNullable(nodes),
        sbatchArgs, Optional.ofNullable(bucket), Optional.ofNullable(coordinatorHost), jobs);
    return new ProviderChoice(Optional.ofNullable(provider), region(), Optional.ofNullable(keyId),
        Optional.ofNullable(key), instanceProfile, coordinatorProfile, coordinatorPort, dirs(),
        new SshChoice(Optional.ofNullable(hostsFile), Optional.empty(), Optional.empty(),
            Optional.ofNullable(sshConfig), connectTimeout,
            processors == null ? 1 : Math.max(1, processors),
            memory == null || !(memory > 0) ? 1 : memory, Optional.ofNullable(agentJar)),
        cluster, Optional.ofNullable(subscription));
  }

  String region() {
    return regionOption.region != null ? regionOption.region
        : ProviderRegistry.defaultRegion(Optional.ofNullable(provider));
  }

  /** The prices to bid from when no live prices are read: the chosen provider's snapshot. */
  Catalog offlineCatalog() {
    return chosenProvider.map(Provider::embeddedCatalog).orElseGet(EmbeddedCatalog::load);
  }

  ProjectDirs dirs() {
    return homeOption.dirs();
  }

  private RunOptions runOptions() {
    if (maxAttempts < 1) {
      throw AetherException.invalidInput("--max-attempts must be at least 1, got " + maxAttempts);
    }
    if (leaseTimeoutSeconds != null && !(leaseTimeoutSeconds >= 0.1)) {
      throw AetherException.invalidInput("--lease-timeout must be at least 0.1 seconds, got "
          + leaseTimeoutSeconds);
    }
    if (joinDeadlineSeconds < 1) {
      throw AetherException.invalidInput("--join-deadline must be at least 1 second, got "
          + joinDeadlineSeconds);
    }
    if (spotAttempts < 1) {
      throw AetherException.invalidInput("--spot-attempts must be at least 1, got "
          + spotAttempts);
    }
    return new RunOptions(provider != null, maxAttempts, restart, dirs(),
        Optional.ofNullable(agentJar), Optional.ofNullable(leaseTimeoutSeconds)
            .map(s -> java.time.Duration.ofMillis(Math.round(s * 1000))),
        java.time.Duration.ofSeconds(joinDeadlineSeconds), spotAttempts,
        Optional.ofNullable(jobTimeout).map(t -> DurationWords.parse("--job-timeout", t)));
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
