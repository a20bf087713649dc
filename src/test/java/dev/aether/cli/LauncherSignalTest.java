package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault 6 of issue 16: SIGTERM or SIGINT to the launcher alone left its agent and jobs running
 * for a minute, their results thrown away. Now the launcher (the real program, as a process)
 * stops its agents and their jobs within seconds, says how to resume, and the rerun resumes.
 */
class LauncherSignalTest {
  private static final int JOBS = 8;
  @TempDir Path home;
  @TempDir Path in;
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    started.forEach(ProcessHandle::destroyForcibly);
  }

  @ParameterizedTest(name = "SIG{0}")
  @CsvSource({"TERM, 143", "INT, 130"})
  void aSignalToTheLauncherStopsItsAgentsAndJobsAndTheRerunResumes(String signal, int status)
      throws Exception {
    Path pids = Files.createDirectories(in.resolve("pids"));
    Path script = in.resolve("job.sh");
    Files.writeString(script, "#!/bin/bash\n"
        + "echo \"$AETHER_ATTEMPT\" >> '" + in + "/runs-'\"$1\"\n"
        + "sleep 300 & echo $! > '" + pids + "/child-'\"$1-$AETHER_ATTEMPT\"\n"
        + "echo $$ > '" + pids + "/job-'\"$1-$AETHER_ATTEMPT\"\n"
        + "sleep 1.5; echo ok > \"$5/done-$1\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path args = in.resolve("args.txt");
    Files.writeString(args, String.join("\n",
        IntStream.rangeClosed(1, JOBS).mapToObj(Integer::toString).toList()) + "\n");
    Path plan = Files.writeString(in.resolve("prov.psv"), "c5.large|2|4|false|false\n");
    Path output = home.resolve("projects/signals/output");

    Process first = launcher(script, args, plan, "first.log");
    awaitTrue(() -> count(output, "done-") >= 2 && count(pids, "job-") > count(output, "done-"));
    List<ProcessHandle> family = ProcessHandle.of(first.pid()).orElseThrow().descendants()
        .toList();
    assertThat(family).as("agents and jobs run").isNotEmpty();
    started.addAll(family);

    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(first.pid())).start()
        .waitFor()).isZero();

    assertThat(first.waitFor(20, TimeUnit.SECONDS)).as("the launcher ends within seconds")
        .isTrue();
    String said = Files.readString(in.resolve("first.log"));
    assertThat(first.exitValue()).as(said).isEqualTo(status);
    assertThat(said).contains("Stopped by SIGTERM or SIGINT: the agents and their jobs were"
        + " stopped").contains("Run the same command again to resume");
    for (ProcessHandle p : family) {
      assertThat(running(p.pid())).as("agent or job %s after the launcher", p.pid()).isFalse();
    }
    for (long pid : pidsIn(pids)) {
      assertThat(running(pid)).as("a job's process %d", pid).isFalse();
    }
    List<String> doneBefore = names(output, "done-");

    Process second = launcher(script, args, plan, "second.log");
    assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).as(Files.readString(in.resolve("second.log"))).isZero();
    assertThat(Files.readString(in.resolve("second.log")))
        .contains(JOBS + " of " + JOBS + " jobs done");
    for (String done : doneBefore) {
      String job = done.substring("done-".length());
      assertThat(Files.readAllLines(in.resolve("runs-" + job))).as("job %s ran once", job)
          .hasSize(1);
    }
  }

  /** The real program; SIGINT set back to its default, which a background parent may ignore. */
  private Process launcher(Path script, Path args, Path plan, String log) throws IOException {
    Process p = new ProcessBuilder("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "-L", plan.toString(), "-A", args.toString(), "-S", script.toString(), "-N", "signals",
        "-P", "1", "-M", "0.5", "--provider", "local", "--aether-home", home.toString())
        .redirectErrorStream(true)
        .redirectOutput(in.resolve(log).toFile())
        .start();
    started.add(p.toHandle());
    return p;
  }

  private static long count(Path dir, String prefix) {
    return names(dir, prefix).size();
  }

  private static List<String> names(Path dir, String prefix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static List<Long> pidsIn(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        pids.add(Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).strip()));
      }
    }
    return pids;
  }

  /** Exists and is not a zombie (which ProcessHandle counts as alive). */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s").isLessThan(end);
      Thread.sleep(50);
    }
  }
}
