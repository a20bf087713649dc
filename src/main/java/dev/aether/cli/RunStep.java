package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.PipelineSpec;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.providers.local.LocalMachines;
import dev.aether.providers.local.LocalStorage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the batch of a checked request on the provider the user chose or has credentials for. */
final class RunStep {
  private final BidRequest request;
  private final List<ProvisionedInstance> plan;
  private final RunOptions options;
  private final PrintStream out;

  RunStep(BidRequest request, List<ProvisionedInstance> plan, RunOptions options,
      PrintStream out) {
    this.request = request;
    this.plan = plan;
    this.options = options;
    this.out = out;
  }

  int run() {
    String provider = options.provider().orElseGet(() -> hasAwsCredentials(System.getenv(),
        Path.of(System.getProperty("user.home"))) ? "aws" : "local");
    if (provider.equals("aws")) {
      throw new AetherException(AetherException.ERROR, "the aws provider cannot run a batch "
          + "from the command line yet (see docs/aws.md); use --provider local, or --dry-run "
          + "to see the plan");
    }
    out.println(options.provider().isPresent() ? "Running on this machine (--provider local)."
        : "No cloud credentials found: running on this machine (local provider); the plan above "
            + "is what the same batch would cost on AWS.");
    return runLocally();
  }

  private int runLocally() {
    String name = request.name().orElseThrow();
    var dirs = options.dirs();
    LocalStorage bucket = new LocalStorage(dirs.bucket(name));
    LocalMachines machines = new LocalMachines(bucket, dirs.work(name).resolve("nodes"));
    PipelineSpec spec = PipelineSpec.builder(name, request.script().orElseThrow(),
            request.argsFile().orElseThrow())
        .binDir(request.binDir().orElse(null))
        .dataDir(request.dataDir().orElse(null))
        .processorsPerJob(request.processors())
        .memoryPerJobGb(request.memoryGb())
        // The local provider has one node, this machine, whatever the cloud plan says.
        .instances(List.of(LocalMachines.thisMachine()))
        .maxAttempts(options.maxAttempts())
        .restart(options.restart())
        .workDir(dirs.work(name)) // the ledger lives beside the bucket, under the same home
        .build();
    return PipelineConsole.run(spec, machines, bucket, out);
  }

  /**
   * Whether the AWS default credential chain would find credentials: the environment, or a
   * credentials or config file. (The SDK reads them; we only look whether they are there.)
   */
  static boolean hasAwsCredentials(Map<String, String> env, Path home) {
    if (env.containsKey("AWS_ACCESS_KEY_ID") || env.containsKey("AWS_PROFILE")
        || env.containsKey("AWS_WEB_IDENTITY_TOKEN_FILE")
        || env.containsKey("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
      return true;
    }
    Path aws = home.resolve(".aws");
    return Files.exists(aws.resolve("credentials")) || Files.exists(aws.resolve("config"));
  }
}
