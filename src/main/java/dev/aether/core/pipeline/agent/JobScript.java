package dev.aether.core.pipeline.agent;

import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.plan.Slots;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The job-script contract: how one job of the args file becomes one run of the user's script.
 *
 * <p>The script runs in a fresh working directory holding {@code bin/} (links to the project's
 * {@code -B} files, plus a no-op {@code terminate_job.sh} and, where the provider can attach
 * disks, {@code add_ebs_storage.sh}, which asks the node's aether for a disk) and {@code data/} (a link to the project's {@code -D} folder,
 * or empty), with {@code bin/} first on {@code PATH}, as
 *
 * <pre>script "$1" PROCS MEMFRAC PRIMARYHOST OUTPUTFOLDER LOCALIP</pre>
 *
 * started directly from an argument list, never through a shell, so the job's line arrives as
 * {@code $1} byte for byte and nothing in it is executed. A script without a {@code #!} line is run
 * by {@code /bin/bash}, like the 2017 scripts. stdin is empty; stdout and stderr go to one log.
 * {@code AETHER_JOB_NUMBER}, {@code AETHER_ATTEMPT} (this lease's number, never reused) and
 * {@code AETHER_NODE} are set in its environment. The script leads a process group of its own
 * ({@link ProcessGroup}), so that the job can be killed with everything it started.
 */
public final class JobScript {
  static final String TERMINATE_JOB = "#!/bin/sh\n"
      + "# Kept for 2017 job scripts. Aether takes completion from the script's exit status,\n"
      + "# so this does nothing.\n"
      + "exit 0\n";

  /**
   * The 2017 scripts' {@code add_ebs_storage.sh SIZE DEVMNT}: asks the node's aether for a disk
   * ({@code aether attach-storage}). The jar is where the node's boot script puts it
   * ({@code providers.aws.UserData}); the arguments are passed on as arguments, never evaluated.
   */
  static final String ADD_EBS_STORAGE = "#!/bin/sh\n"
      + "# add_ebs_storage.sh SIZE DEVMNT: a new SIZE GB disk mounted at /mnt/DEVMNT, deleted\n"
      + "# with the node. Needs a cloud node started by aether.\n"
      + "if [ ! -f /opt/aether/aether.jar ]; then\n"
      + "  echo 'add_ebs_storage.sh: needs a cloud node started by aether"
      + " (no /opt/aether/aether.jar here)' >&2\n"
      + "  exit 2\n"
      + "fi\n"
      + "exec java -jar /opt/aether/aether.jar attach-storage \"$1\" \"$2\"\n";

  private final Path script;
  private final boolean hasShebang;
  private final List<Path> binEntries;
  private final Optional<Path> data;
  private final int procs;
  private final String memFrac;
  private final String primaryHost;
  private final String localIp;
  private final boolean attachStorage;
  private final String node;

  /** As below, for a node with no id of its own (tests). */
  public JobScript(Path script, Optional<Path> bin, Optional<Path> data, int cores, int slots,
      String primaryHost, String localIp, boolean attachStorage) throws IOException {
    this(script, bin, data, cores, slots, primaryHost, localIp, attachStorage, "unnamed");
  }

  /**
   * @param script the user's script on this node
   * @param bin the project's bin folder on this node, when there is one
   * @param data the project's data folder on this node, when there is one
   * @param cores the node's cores
   * @param slots jobs the node runs at once
   * @param primaryHost {@code $4}: the coordinator's host
   * @param localIp {@code $6}: this node's address
   * @param attachStorage whether the node's provider can attach disks (then jobs get
   *     {@code add_ebs_storage.sh})
   * @param node this node's id, {@code AETHER_NODE} of every job (finds a dead agent's jobs)
   */
  public JobScript(Path script, Optional<Path> bin, Optional<Path> data, int cores, int slots,
      String primaryHost, String localIp, boolean attachStorage, String node)
      throws IOException {
    this.script = script.toAbsolutePath();
    this.hasShebang = startsWithShebang(script);
    List<Path> entries = new ArrayList<>();
    if (bin.isPresent()) {
      try (Stream<Path> s = Files.list(bin.get())) {
        s.map(Path::toAbsolutePath).sorted().forEach(entries::add);
      }
    }
    this.binEntries = List.copyOf(entries);
    this.data = data.map(Path::toAbsolutePath);
    this.procs = Slots.procs(cores, slots);
    this.memFrac = Slots.memFrac(slots);
    this.primaryHost = primaryHost;
    this.localIp = localIp;
    this.attachStorage = attachStorage;
    this.node = node;
  }

  /** The command for one job; {@code args} is passed as one argument, untouched. */
  public List<String> command(String args, Path outputFolder) {
    List<String> command = new ArrayList<>();
    if (!hasShebang) {
      command.add("/bin/bash");
    }
    command.add(script.toString());
    command.add(args);
    command.add(Integer.toString(procs));
    command.add(memFrac);
    command.add(primaryHost);
    command.add(outputFolder.toAbsolutePath().toString());
    command.add(localIp);
    return command;
  }

  /**
   * Makes {@code workDir} afresh (bin/, data/) and starts the job there, its output to {@code log}.
   *
   * @throws IOException when the folders cannot be made (the node's fault) or the script cannot
   *     start (the job's: see {@link CannotStart})
   */
  public Process start(Lease lease, Path workDir, Path outputFolder, Path log) throws IOException {
    prepare(workDir);
    Files.createDirectories(outputFolder);
    Files.createDirectories(log.toAbsolutePath().getParent());
    return launch(lease, workDir, outputFolder, log);
  }

  /**
   * Starts the job in {@code workDir}, made by {@link #prepare}.
   *
   * @throws CannotStart when the script cannot be run (no interpreter, no permission)
   */
  Process launch(Lease lease, Path workDir, Path outputFolder, Path log) throws CannotStart {
    ProcessBuilder pb = new ProcessBuilder(
        ProcessGroup.leading(command(lease.args(), outputFolder)))
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put("PATH", workDir.resolve("bin").toAbsolutePath() + File.pathSeparator
        + env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("AETHER_JOB_NUMBER", Integer.toString(lease.number()));
    env.put("AETHER_ATTEMPT", Integer.toString(lease.attempt()));
    env.put("AETHER_NODE", node);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new CannotStart(e);
    }
  }

  /** The job's own fault: its script cannot be run. */
  static final class CannotStart extends IOException {
    private static final long serialVersionUID = 1L;

    CannotStart(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** A fresh {@code workDir} with {@code bin/} and {@code data/}. */
  public void prepare(Path workDir) throws IOException {
    deleteTree(workDir);
    Path bin = Files.createDirectories(workDir.resolve("bin"));
    for (Path entry : binEntries) {
      Files.createSymbolicLink(bin.resolve(entry.getFileName().toString()), entry);
    }
    // Ours replaces any terminate_job.sh from the user's bin: the 2017 one shut the machine down.
    Path terminate = bin.resolve("terminate_job.sh");
    Files.deleteIfExists(terminate);
    Files.writeString(terminate, TERMINATE_JOB);
    Files.setPosixFilePermissions(terminate, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (attachStorage) {
      // Ours replaces the user's too: the 2017 one called the AWS CLI with the node's keys.
      Path storage = bin.resolve("add_ebs_storage.sh");
      Files.deleteIfExists(storage);
      Files.writeString(storage, ADD_EBS_STORAGE);
      Files.setPosixFilePermissions(storage, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    if (data.isPresent()) {
      Files.createSymbolicLink(workDir.resolve("data"), data.get());
    } else {
      Files.createDirectories(workDir.resolve("data"));
    }
  }

  /** Deletes a folder; links are removed, never followed (data/ links to the user's data). */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean startsWithShebang(Path script) throws IOException {
    try (InputStream in = Files.newInputStream(script)) {
      byte[] head = in.readNBytes(2);
      return head.length == 2 && head[0] == '#' && head[1] == '!';
    }
  }
}
