package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.AetherException;
import dev.aether.core.project.ProjectDirs;
import dev.aether.core.project.ProviderRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad SSH and join input: one line naming the option or line at fault, exit 2, nothing run. */
class SshOptionsTest {
  @TempDir Path dir;

  private CliRun batch(String... more) throws Exception {
    Path args = Files.writeString(dir.resolve("args.txt"), "1\n");
    Path script = Files.writeString(dir.resolve("job.sh"), "#!/bin/sh\n");
    List<String> all = new ArrayList<>(List.of("-A", args.toString(), "-S", script.toString(),
        "-N", "demo", "-P", "1", "-M", "1", "--aether-home", dir.resolve("home").toString()));
    all.addAll(List.of(more));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static void oneLine(CliRun run, String... words) {
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("aether: ").contains(words);
  }

  @Test
  void sshWithoutAHostsFileSaysWhatToGive() throws Exception {
    oneLine(batch("--provider", "ssh"), "--provider ssh needs --hosts FILE",
        "one [user@]host[:port] a line");
  }

  @Test
  void aHostsFileWithoutSshIsRefused() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.txt"), "node1\n");
    oneLine(batch("--hosts", hosts.toString()), "--hosts is read only with --provider ssh");
    oneLine(batch("--hosts", hosts.toString(), "--provider", "local"),
        "--hosts is read only with --provider ssh");
  }

  @Test
  void aBadHostsFileNamesItsLine() throws Exception {
    oneLine(batch("--provider", "ssh", "--hosts", dir.resolve("none.txt").toString()),
        "hosts file " + dir.resolve("none.txt") + " does not exist");
    Path hosts = Files.writeString(dir.resolve("hosts.txt"), "node1\nnode2 cores=4\n");
    oneLine(batch("--provider", "ssh", "--hosts", hosts.toString()),
        hosts + " line 2: unexpected 'cores=4' after node2");
    assertThat(dir.resolve("home/projects/demo")).as("nothing made").doesNotExist();
  }

  @Test
  void badSshOptionsAreNamed() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.txt"), "node1\n");
    oneLine(batch("--provider", "ssh", "--hosts", hosts.toString(), "--connect-timeout", "0"),
        "--connect-timeout must be a whole number of seconds, at least 1, got 0");
    oneLine(batch("--provider", "ssh", "--hosts", hosts.toString(), "--ssh-config",
        dir.resolve("nope").toString()), "--ssh-config " + dir.resolve("nope") + ": no such file");
  }

  @Test
  void joiningAProjectThatIsNotRunningSaysSo() throws Exception {
    String home = dir.resolve("home").toString();
    oneLine(CliRun.of("join", "-N", "demo", "--aether-home", home),
        "project demo has not run on this machine");
    new ProviderRecord("local", "").write(new ProjectDirs(Path.of(home)), "demo");
    oneLine(CliRun.of("join", "-N", "demo", "--aether-home", home),
        "project demo runs on the local provider, whose batches machines cannot join");
    new ProviderRecord("ssh", "").write(new ProjectDirs(Path.of(home)), "demo");
    oneLine(CliRun.of("join", "-N", "demo", "--aether-home", home),
        "no batch of project demo is running on this machine");
    oneLine(CliRun.of("join", "-N", "demo", "--slots", "0", "--aether-home", home),
        "--slots must be at least 1, got 0");
    oneLine(CliRun.of("join", "--aether-home", home), "-N/--name is required");
  }

  @Test
  void helpShowsTheSshOptionsWhereItRunsAndTheJoinCommand() {
    String help = CliRun.of("--help").out();
    String where = help.substring(help.indexOf("Where it runs:"));
    assertThat(where.substring(0, where.indexOf("\n\n"))).contains("--hosts=FILE",
        "--ssh-config=FILE", "--connect-timeout=SECONDS");
    assertThat(help).contains("join").doesNotContain("--lease-timeout");
    CliRun join = CliRun.of("help", "join");
    assertThat(join.out()).contains("Usage: aether join", "--host=[USER@]HOST[:PORT]",
        "--slots=N", "-N, --name=NAME").doesNotContain("--agent-jar");
  }
}
