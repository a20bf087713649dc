package dev.aether.providers.local;

import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.run.PipelineSpec;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.spi.AetherProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/** A project under a temporary AETHER_HOME, with short timeouts so tests stay fast. */
final class LocalProject {
  /** The aether program, run as a process, by its entry point (the CLI's main class). */
  static final AetherProgram AETHER = AetherProgram.thisJvm("dev.aether.cli.Main");
  final String name;
  final ProjectDirs dirs;
  final LocalStorage bucket;

  LocalProject(Path home, String name) {
    this.name = name;
    this.dirs = new ProjectDirs(home);
    this.bucket = new LocalStorage(dirs.bucket(name));
  }

  LocalMachines machines() {
    return new LocalMachines(AETHER, name, bucket, dirs.work(name).resolve("nodes"),
        Duration.ofSeconds(5));
  }

  PipelineSpec.Builder spec(Path script, Path args) {
    return PipelineSpec.builder(name, script, args)
        .workDir(dirs.work(name))
        .instances(List.of(LocalMachines.thisMachine()))
        .leaseTimeout(Duration.ofSeconds(2))
        .checkpointInterval(Duration.ofMillis(500));
  }

  /** The ledger, or while a batch runs its snapshot (a few hundred ms old here). */
  JobLedger ledger() {
    return JobLedger.openForReading(dirs.ledger(name));
  }

  Path output(String file) {
    return bucket.root().resolve("output").resolve(file);
  }

  static Path script(Path dir, String body) throws IOException {
    Path script = dir.resolve("job.sh");
    Files.writeString(script, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  static Path args(Path dir, String... lines) throws IOException {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return args;
  }

  /**
   * A line of shell that records this run of the job in {@code dir/runs-$1} (its attempt number):
   * outside $5, since only a DONE run's outputs reach output/.
   */
  static String recordRun(Path dir) {
    return "echo \"$AETHER_ATTEMPT\" >> '" + dir.resolve("runs-") + "'\"$1\"";
  }

  /** The runs of job {@code args} recorded by {@link #recordRun}. */
  static List<String> runs(Path dir, String args) throws IOException {
    return lines(dir.resolve("runs-" + args));
  }

  /**
   * Whether process {@code pid} still runs: it exists and is not a zombie (a killed process whose
   * parent, often init in a container, has not reaped it yet; ProcessHandle counts those alive).
   */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** Lines of a file the job script appends to, or none. */
  static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
