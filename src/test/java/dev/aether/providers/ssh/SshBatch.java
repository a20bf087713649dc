package dev.aether.providers.ssh;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.aether.cli.Main;
import dev.aether.core.pipeline.ledger.Job;
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.project.ProjectDirs;
import dev.aether.providers.ssh.LocalCommand.Result;
import dev.aether.testing.ClassPathJar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/**
 * What the SSH end-to-end tests share: a jar for the hosts, a job script that says where it ran,
 * {@code aether} run in this JVM through its real argument list (on a thread of its own when it
 * must run while the test acts), and ways to read the ledger and wait for events.
 */
final class SshBatch {
  /**
   * Waits until the test opens its gate (the hosts share this machine's files), then writes $6 as
   * the agent gave it and every address of the machine it runs on.
   */
  private static final String SCRIPT = "#!/bin/sh\n"
      + "while [ ! -e GATES/all ] && [ ! -e \"GATES/$1\" ]; do sleep 0.05; done\n"
      + "printf '%s %s\\n' \"$6\" \"$(hostname -I)\" > \"$5/job-$1.txt\"\n"
      + "echo \"job $1 ran on $6\"\n";

  final SshTestHosts hosts;
  final Path dir;
  final Path home;
  final Path jar;
  final String name;

  SshBatch(SshTestHosts hosts, Path dir, String name) throws IOException {
    this.hosts = hosts;
    this.dir = dir;
    this.home = dir.resolve("home");
    this.name = name;
    // The hosts share this machine's file system, so the test's class path reaches them too.
    this.jar = ClassPathJar.write(dir.resolve("aether.jar"));
  }

  ProjectDirs dirs() {
    return new ProjectDirs(home);
  }

  Path bucket() {
    return dirs().bucket(name);
  }

  Path file(String fileName, String content) throws IOException {
    return Files.writeString(dir.resolve(fileName), content);
  }

  /** Lets job {@code number} end (it waits for this until then). */
  void open(int number) throws IOException {
    Files.createDirectories(dir.resolve("gates"));
    Files.writeString(dir.resolve("gates/" + number), "");
  }

  /** Lets every job end, now and from now on. */
  void openAll() throws IOException {
    Files.createDirectories(dir.resolve("gates"));
    Files.writeString(dir.resolve("gates/all"), "");
  }

  Path script() throws IOException {
    Path s = file("job.sh", SCRIPT.replace("GATES", dir.resolve("gates").toString()));
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
    return s;
  }

  /** An args file of jobs 1..n. */
  Path args(int n) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append(i).append('\n');
    }
    return file("args.txt", b.toString());
  }

  /** The batch's command line, with the test's ssh_config, quick timeouts and the test jar. */
  List<String> batch(Path hostsFile, int jobs, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("-A", args(jobs).toString(), "-S",
        script().toString(), "-N", name, "-P", "1", "-M", "0.5", "--provider", "ssh",
        "--hosts", hostsFile.toString(), "--ssh-config", hosts.sshConfig().toString(),
        "--connect-timeout", "2", "--lease-timeout", "5", "--agent-jar", jar.toString(),
        "--aether-home", home.toString()));
    args.addAll(List.of(more));
    return args;
  }

  List<String> join(String... more) {
    List<String> args = new ArrayList<>(List.of("join", "-N", name, "--ssh-config",
        hosts.sshConfig().toString(), "--connect-timeout", "2", "--agent-jar", jar.toString(),
        "--aether-home", home.toString()));
    args.addAll(List.of(more));
    return args;
  }

  /** How one run of {@code aether} ended. */
  record Run(int status, String out, String err) {
    @Override
    public String toString() {
      return "exit " + status + "\n--- out\n" + out + "\n--- err\n" + err;
    }
  }

  static Run aether(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** {@code aether ARGS} on a thread of its own. */
  static CompletableFuture<Run> start(List<String> args) {
    CompletableFuture<Run> run = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        run.complete(aether(args));
      } catch (Throwable e) {
        run.completeExceptionally(e);
      }
    }, "aether-" + args.get(0));
    t.setDaemon(true);
    t.start();
    return run;
  }

  /** The jobs of the live ledger in {@code state}; empty while the ledger does not exist yet. */
  List<Job> jobs(JobState state) {
    Path ledger = dirs().ledger(name);
    if (!Files.exists(ledger)) {
      return List.of();
    }
    try (JobLedger l = JobLedger.openForReading(ledger)) {
      return l.jobs(state);
    } catch (RuntimeException e) {
      return List.of(); // being created right now
    }
  }

  /** Jobs leased to or ended by a node whose id starts with {@code prefix}. */
  long jobsOn(String prefix, JobState... states) {
    return on(prefix, states).size();
  }

  /** The numbers of the jobs leased to or ended by a node whose id starts with {@code prefix}. */
  List<Integer> on(String prefix, JobState... states) {
    List<Integer> n = new ArrayList<>();
    for (JobState s : states) {
      jobs(s).stream().filter(j -> j.node().orElse("").startsWith(prefix))
          .forEach(j -> n.add(j.number()));
    }
    return n;
  }

  /** The agent processes ({@code aether agent}) running inside a host's namespace. */
  List<ProcessHandle> agents(SshTestHosts.Host host) throws Exception {
    Result r = LocalCommand.run(List.of("ip", "netns", "pids", host.namespace()), Map.of(),
        Optional.empty(), Duration.ofSeconds(10));
    return r.stdout().lines().map(String::strip).filter(l -> l.matches("\\d+"))
        .map(Long::parseLong).map(ProcessHandle::of).flatMap(Optional::stream)
        .filter(p -> p.info().command().orElse("").endsWith("/java")
            && p.info().commandLine().orElse("").contains(" agent --provider ssh"))
        .toList();
  }

  /** Each output file's first two words: $6, and the addresses of the machine it ran on. */
  String where(int job) throws IOException {
    return Files.readString(bucket().resolve("output/job-" + job + ".txt")).strip();
  }

  /** Processes of this machine (hosts share its process table) whose arguments or environment hold {@code secret}. */
  static List<String> processesShowing(String secret) throws IOException {
    List<String> found = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        for (String f : List.of("cmdline", "environ")) {
          try {
            if (new String(Files.readAllBytes(p.resolve(f)), StandardCharsets.ISO_8859_1)
                .contains(secret)) {
              found.add(p + "/" + f);
            }
          } catch (IOException gone) {
            // the process ended while we looked
          }
        }
      }
    }
    return found;
  }

  /** Files under {@code root} whose bytes hold {@code secret}. */
  static List<Path> filesContaining(Path root, String secret) throws IOException {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (var all = Files.walk(root)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(secret)) {
          found.add(f);
        }
      }
    }
    return found;
  }

  /** Every node's agent log, for failure messages. */
  String nodeLogs() {
    StringBuilder b = new StringBuilder();
    Path nodes = dirs().work(name).resolve("nodes");
    if (Files.isDirectory(nodes)) {
      try (var all = Files.walk(nodes)) {
        for (Path p : all.filter(f -> f.getFileName().toString().equals("agent.log")).toList()) {
          b.append("\n---- ").append(p).append('\n').append(Files.readString(p));
        }
      } catch (IOException e) {
        b.append(e);
      }
    }
    return b.toString();
  }

  /** Collects what the SSH provider logs (its warnings are what the user sees on stderr). */
  static ListAppender<ILoggingEvent> captureLogs() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.aether.providers.ssh");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    return appender;
  }

  static void stopCapturing(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger("dev.aether.providers.ssh")).detachAppender(appender);
  }

  /**
   * Waits for {@code event}, checking every 50 ms, at most {@code seconds}; on time out fails
   * with what the runs said so far and the agents' logs.
   */
  void await(String what, BooleanSupplier event, int seconds, CompletableFuture<?>... runs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!event.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder m = new StringBuilder("waited " + seconds + "s for " + what);
        for (CompletableFuture<?> r : runs) {
          m.append("\n==== ").append(r.isDone() ? r.getNow(null) : "(still running)");
        }
        throw new AssertionError(m + nodeLogs());
      }
      Thread.sleep(50);
    }
  }
}
