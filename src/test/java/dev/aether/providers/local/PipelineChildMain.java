package dev.aether.providers.local;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.run.Pipeline;
import dev.aether.core.pipeline.run.PipelineListener;
import dev.aether.core.pipeline.run.PipelineResult;
import java.nio.file.Path;

/**
 * A launcher in a JVM of its own, so a test can kill it with SIGKILL: runs one project on the local
 * provider. Arguments: AETHER_HOME, project name, script, args file, slots.
 */
public final class PipelineChildMain {
  private PipelineChildMain() {}

  public static void main(String[] a) {
    LocalProject p = new LocalProject(Path.of(a[0]), a[1]);
    try {
      PipelineResult r = Pipeline.run(
          p.spec(Path.of(a[2]), Path.of(a[3])).slotsPerNode(Integer.parseInt(a[4])).build(),
          p.machines(), p.bucket, PipelineListener.NONE);
      System.exit(r.succeeded() ? 0 : 1);
    } catch (AetherException e) {
      System.err.println(e.getMessage());
      System.exit(e.exitStatus());
    }
  }
}
