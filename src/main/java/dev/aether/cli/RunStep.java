package dev.aether.cli;

import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.providers.aws.AwsClients;
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
  private final AwsClients aws;
  private final PrintStream out;

  /** @param aws the AWS clients when the provider is aws, else null */
  RunStep(BidRequest request, List<ProvisionedInstance> plan, RunOptions options,
      AwsClients aws, PrintStream out) {
    this.request = request;
    this.plan = plan;
    this.options = options;
    this.aws = aws;
    this.out = out;
  }

  int run() {
    if (options.runOn().equals("aws")) {
      out.println("Running on AWS in " + aws.region() + ".");
      return new AwsRun(request, plan, options, aws, out).run();
    }
    out.println(options.provider().isPresent() ? "Running on this machine (--provider local)."
        : "No cloud credentials found: running on this machine (local provider); the plan above "
            + "is what the same batch would cost on AWS.");
    return runLocally();
  }

  private int runLocally() {
    String name = request.name().orElseThrow();
    var dirs = options.dirs();
    Path work = dirs.work(name); // the ledger lives beside the bucket, under the same home
    LocalStorage bucket = new LocalStorage(dirs.bucket(name));
    LocalMachines machines = new LocalMachines(bucket, work.resolve("nodes"));
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
        .workDir(work)
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
