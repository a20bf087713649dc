package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.remote.RemoteBatch;
import dev.aether.core.pipeline.remote.RemoteLaunch;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.Slots;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.project.ProviderRecord;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs the batch of a checked request on the chosen provider: with the coordinator here (this
 * machine, and providers whose nodes reach it), or on a node of the provider's own.
 */
final class RunStep {
  private final BidRequest request;
  private final List<ProvisionedInstance> plan;
  private final RunOptions options;
  private final Provider provider;
  private final PrintStream out;

  RunStep(BidRequest request, List<ProvisionedInstance> plan, RunOptions options,
      Provider provider, PrintStream out) {
    this.request = request;
    this.plan = plan;
    this.options = options;
    this.provider = provider;
    this.out = out;
  }

  int run() {
    String name = request.name().orElseThrow();
    ProjectDirs dirs = options.dirs();
    try (ProviderProject project = provider.open(name)) {
      new ProviderRecord(provider.name(), request.region()).write(dirs, name);
      Optional<List<ProvisionedInstance>> fixed = project.fixedNodes();
      if (fixed.isPresent()) {
        out.println(!options.providerChosen() && !provider.can(Capability.BIDS)
            ? "No cloud credentials found: running on this machine (" + provider.name()
                + " provider); the plan above is what the same batch would cost on AWS."
            : "Running on " + fixed.get().size() + " node(s) of the " + provider.name()
                + " provider (--provider " + provider.name() + ").");
        out.println(atOnce(fixed.get()));
      } else {
        out.println("Running on " + provider.name() + " in " + request.region() + ".");
      }
      PipelineSpec spec = spec(name, dirs, fixed.orElse(plan));
      if (provider.can(Capability.REMOTE_COORDINATOR)) {
        return remote(spec, project, dirs.bucket(name));
      }
      return PipelineConsole.run(spec, project.machines(), project.prepareBucket(), out);
    }
  }

  /** How many jobs the nodes run at once, and why: their size against one job's. */
  private String atOnce(List<ProvisionedInstance> nodes) {
    int slots = nodes.stream().mapToInt(n -> Slots.forNode(n.processors(), n.ramGb(),
        request.processors(), request.memoryGb())).sum();
    String size = nodes.size() == 1
        ? nodes.get(0).processors() + " cores and " + nodes.get(0).ramGb() + " GB"
        : nodes.stream().mapToInt(ProvisionedInstance::processors).sum() + " cores in all";
    return slots + (slots == 1 ? " job" : " jobs") + " at once (" + size + "; each job "
        + request.processors() + (request.processors() == 1 ? " core" : " cores") + " and "
        + request.memoryGb() + " GB)" + (request.jobs() > slots
            ? "; the other jobs wait for a free slot." : ".");
  }

  private PipelineSpec spec(String name, ProjectDirs dirs, List<ProvisionedInstance> nodes) {
    return PipelineSpec.builder(name, request.script().orElseThrow(),
            request.argsFile().orElseThrow())
        .binDir(request.binDir().orElse(null))
        .dataDir(request.dataDir().orElse(null))
        .processorsPerJob(request.processors())
        .memoryPerJobGb(request.memoryGb())
        .instances(nodes)
        .maxAttempts(options.maxAttempts())
        .restart(options.restart())
        .workDir(dirs.work(name)) // the ledger lives beside the bucket, under the same home
        .build();
  }

  private int remote(PipelineSpec spec, ProviderProject project, Path home) {
    RemoteBatch batch = new RemoteBatch(spec, request.catalog(), request.regionCatalog(),
        request.limits(), request.baseRequirements(), agentJar(options.agentJar()), home,
        request.jobs());
    PipelineConsole.Bar bar = new PipelineConsole.Bar(out);
    RemoteLaunch.Outcome outcome;
    try {
      outcome = new RemoteLaunch(batch, project, bar).run();
    } finally {
      bar.close();
    }
    out.print(PipelineConsole.summary(outcome.result()));
    out.println("Brought home " + outcome.broughtHome() + " file(s): " + home.resolve("output")
        + " and " + home.resolve("logs"));
    project.costSoFar().ifPresent(out::println);
    if (outcome.error().isPresent()) {
      throw new AetherException(AetherException.ERROR, "the coordinator node stopped with an"
          + " error: " + outcome.error().get() + "; run the same command again to resume");
    }
    return outcome.result().succeeded() ? 0 : 1;
  }

  /** The jar remote nodes run: --agent-jar, else the jar this program runs from. */
  static Path agentJar(Optional<Path> given) {
    if (given.isPresent()) {
      if (!Files.isRegularFile(given.get())) {
        throw AetherException.invalidInput("--agent-jar " + given.get() + ": no such file");
      }
      return given.get();
    }
    try {
      Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
        return self;
      }
    } catch (java.net.URISyntaxException | SecurityException e) {
      // fall through to the message below
    }
    throw AetherException.invalidInput("--agent-jar: aether is not running from its jar, and"
        + " cloud nodes need one; run ./aether (or java -jar target/aether.jar), or pass"
        + " --agent-jar");
  }
}
