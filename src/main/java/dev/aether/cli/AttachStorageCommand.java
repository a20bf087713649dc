package dev.aether.cli;

import dev.aether.providers.aws.AttachStorage;
import dev.aether.providers.aws.AttachStorageRequest;
import dev.aether.providers.aws.SpotInterruptionWatcher;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aether attach-storage SIZE DEVMNT}: run on a node, from a job (through
 * {@code bin/add_ebs_storage.sh}). Parses, checks, calls the provider; see docs/aws.md.
 */
@Command(name = "attach-storage", mixinStandardHelpOptions = true,
    description = {"Run on a cloud node, from a job: adds a new SIZE GB disk to this node,"
        + " mounted at /mnt/DEVMNT and deleted with the node. Does nothing when /mnt/DEVMNT is"
        + " already mounted. Jobs call it as bin/add_ebs_storage.sh SIZE DEVMNT.",
        "Needs an EC2 node started by aether (exit 2 elsewhere, e.g. on the local provider)."})
public final class AttachStorageCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SIZE", description = "Size in GB, 1 to 16384.")
  String size;

  @Parameters(index = "1", paramLabel = "DEVMNT",
      description = "Mount folder name under /mnt: letters, digits, _ and -.")
  String name;

  @Option(names = "--imds-endpoint", hidden = true,
      description = "The instance metadata service (tests).")
  URI imds = SpotInterruptionWatcher.IMDS;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    AttachStorageRequest request = AttachStorageRequest.parse(size, name);
    spec.commandLine().getOut().println(AttachStorage.run(request, imds));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
