package dev.aether.cli;

import dev.aether.core.AetherException;
import dev.aether.core.pipeline.coordinator.Secret;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.plan.NodeSize;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.Slots;
import dev.aether.core.project.JoinTicket;
import dev.aether.core.project.JoinedNodes;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.project.ProviderRecord;
import dev.aether.core.spi.Capability;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeOptions;
import dev.aether.core.spi.Provider;
import dev.aether.core.spi.ProviderProject;
import dev.aether.core.spi.ThisMachine;
import dev.aether.providers.aws.AwsProvider;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aether join -N NAME}: adds a machine to the project's running batch, this one or, with
 * {@code --host}, a remote one reached over SSH from here, and keeps it running jobs until the
 * batch ends. Reads how to reach the batch from the join ticket its launcher published; the
 * provider does the rest.
 */
@Command(name = "join", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Adds a machine to a project's running batch: this machine, or with --host a"
        + " remote one over SSH (it needs only a shell and Java 17). The machine runs jobs like"
        + " any node until the batch ends; stopping this command takes it out, and its running"
        + " jobs go back to the queue.",
        "Run it on the machine where the batch was started (the launcher publishes how to join"
        + " in a file only you can read)."})
final class JoinCommand implements Callable<Integer> {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Mixin ProjectOption project = new ProjectOption();

  @Option(names = "--slots", paramLabel = "N",
      description = "At most N jobs at once on the machine (default: as many as its size allows).")
  Integer slots;

  @Option(names = "--host", paramLabel = "[USER@]HOST[:PORT]",
      description = "Join this remote machine, over SSH from here, instead of this one.")
  String host;

  @Option(names = "--ssh-config", paramLabel = "FILE",
      description = "With --host: an ssh_config to read instead of ~/.ssh/config.")
  Path sshConfig;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS",
      description = "With --host: how long the host may take to answer (default: 10).")
  int connectTimeout = SshChoice.DEFAULT_CONNECT_TIMEOUT;

  @Option(names = "--agent-jar", hidden = true, paramLabel = "JAR",
      description = "The jar the host runs (default: the one aether runs from).")
  Path agentJar;

  @Mixin HomeOption home = new HomeOption();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String name = StatusCommand.required(project);
    if (slots != null && slots < 1) {
      throw AetherException.invalidInput("--slots must be at least 1, got " + slots);
    }
    ProjectDirs dirs = home.dirs();
    ProviderRecord record = ProviderRecord.read(dirs, name).orElseThrow(() ->
        AetherException.invalidInput("project " + name + " has not run on this machine (looked"
            + " in " + dirs.work(name) + "); start its batch here first, then join"));
    JoinTicket ticket;
    Provider provider = ProviderRegistry.named(record.provider(), new ProviderChoice(
        Optional.of(record.provider()), AwsProvider.DEFAULT_REGION, Optional.empty(),
        Optional.empty(), AwsProvider.DEFAULT_INSTANCE_PROFILE, AwsProvider.DEFAULT_PORT, dirs));
    if (!provider.can(Capability.JOIN)) {
      throw AetherException.invalidInput("project " + name + " runs on the " + record.provider()
          + " provider, whose batches machines cannot join; batches on your own machines"
          + " (--provider ssh) can");
    }
    ticket = JoinTicket.read(dirs, name);
    provider = ProviderRegistry.named(record.provider(), new ProviderChoice(
        Optional.of(record.provider()), AwsProvider.DEFAULT_REGION, Optional.empty(),
        Optional.empty(), AwsProvider.DEFAULT_INSTANCE_PROFILE,
        AwsProvider.DEFAULT_COORDINATOR_PROFILE, AwsProvider.DEFAULT_PORT, dirs, new SshChoice(Optional.empty(), Optional.ofNullable(host), Optional.ofNullable(slots),
            Optional.ofNullable(sshConfig), connectTimeout, ticket.processorsPerJob(),
            ticket.memoryPerJobGb(), Optional.ofNullable(agentJar)), ClusterOptions.NONE,
        Optional.empty()));
    PrintWriter out = spec.commandLine().getOut();
    return host != null ? remote(provider, name, ticket, out) : here(provider, name, dirs, ticket,
        out);
  }

  /** This machine: an agent in this process, on the bucket's own folder. */
  private int here(Provider provider, String name, ProjectDirs dirs, JoinTicket ticket,
      PrintWriter out) throws Exception {
    NodeSize size = new NodeSize(ThisMachine.cores(), ThisMachine.memoryGb());
    if (slots != null) {
      size = size.cappedAt(slots, ticket.processorsPerJob(), ticket.memoryPerJobGb());
    }
    byte[] suffix = new byte[2];
    RANDOM.nextBytes(suffix);
    String id = "join-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(suffix);
    out.printf("Joining the batch of %s as node %s (%d cores, %s GB: %d jobs at once); it runs"
        + " jobs until the batch ends. Stop this command to take it out.%n", name, id,
        size.cores(), size.memoryGb(), Slots.forNode(size.cores(), size.memoryGb(),
            ticket.processorsPerJob(), ticket.memoryPerJobGb()));
    out.flush();
    NodeOptions options = new NodeOptions(name, dirs.bucket(name).toString(), Optional.empty(),
        Optional.of(id), Optional.of(size.cores()), Optional.of(size.memoryGb()),
        Optional.of("127.0.0.1"), Optional.of(ticket.token()));
    int exit;
    try (AutoCloseable joined = JoinedNodes.register(dirs, name, id)) {
      exit = AgentCommand.runAgent(provider, options, ticket.coordinator(),
          Secret.of(ticket.token()), dirs.work(name).resolve("nodes").resolve(id),
          Duration.ofSeconds(60), Optional.empty());
    }
    out.println(exit == 0 ? "The batch is over; node " + id + " has left."
        : "Node " + id + " lost the batch's coordinator and has left.");
    return exit;
  }

  /** A remote host: checked, then its agent started over SSH from here, until it ends. */
  private int remote(Provider provider, String name, JoinTicket ticket, PrintWriter out)
      throws Exception {
    try (ProviderProject p = provider.open(name)) {
      List<ProvisionedInstance> nodes = p.fixedNodes().orElseThrow(); // exit 2 if it must be fixed
      Machines machines = p.machines();
      List<Node> started = machines.start(nodes,
          new NodeBootstrap(ticket.coordinator(), ticket.token(), name));
      List<AutoCloseable> joined = new ArrayList<>();
      for (Node n : started) {
        joined.add(JoinedNodes.register(home.dirs(), name, n.id()));
        out.printf("Joined %s to the batch of %s as node %s (%d cores, %s GB: %d jobs at once);"
            + " it runs jobs until the batch ends. Stop this command to take it out.%n",
            n.instance().type(), name, n.id(), n.instance().processors(), n.instance().ramGb(),
            Slots.forNode(n.instance().processors(), n.instance().ramGb(),
                ticket.processorsPerJob(), ticket.memoryPerJobGb()));
      }
      out.flush();
      while (!machines.list().isEmpty()) {
        Thread.sleep(500);
      }
      for (AutoCloseable j : joined) {
        j.close();
      }
      // An agent stops by itself only once no job is left; with jobs left it was lost or killed.
      boolean batchOver;
      try (JobLedger ledger = JobLedger.openForReading(home.dirs().ledger(name))) {
        batchOver = ledger.counts().finished();
      }
      if (!batchOver) {
        out.println("The agent on " + host + " ended while the batch still runs (see the warning"
            + " above); its jobs go back to the queue. Run this again to rejoin.");
        return AetherException.ERROR;
      }
      out.println("The batch is over; the agent on " + host + " has left.");
      return 0;
    }
  }
}
