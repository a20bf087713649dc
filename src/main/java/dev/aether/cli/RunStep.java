package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import java.io.PrintStream;
import java.util.List;

/** Runs the batch on the chosen provider (wired when the pipeline lands). */
final class RunStep {
  private final BidRequest request;
  private final List<ProvisionedInstance> instances;
  private final PrintStream out;
  private final PrintStream err;

  RunStep(BidRequest request, List<ProvisionedInstance> instances, PrintStream out,
      PrintStream err) {
    this.request = request;
    this.instances = instances;
    this.out = out;
    this.err = err;
  }

  int run() {
    throw new AetherException(AetherException.ERROR, "pipeline not wired yet");
  }
}
