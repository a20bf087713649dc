package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.providers.ssh.LocalCommand.Result;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test hosts themselves: reachable over SSH only, isolated, Java inside, cleaned up. */
class SshTestHostsTest {
  @RegisterExtension
  static final SshTestHosts HOSTS = new SshTestHosts().withHost("h0").withHost("h1");

  private static Result connectFrom(SshTestHosts.Host host, String address, int port)
      throws Exception {
    return HOSTS.inHost(host, "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port);
  }

  @Test
  void hostCannotOpenAConnectionToTheLauncher() throws Exception {
    SshTestHosts.Host h0 = HOSTS.host("h0");
    // Listens on every address of the launcher: its veth end and its loopback included.
    try (ServerSocket launcher = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      int port = launcher.getLocalPort();
      // Control: the server is there on the veth address, seen from the launcher's side.
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(h0.launcherAddress(), port), 2000);
      }

      Result viaVeth = connectFrom(h0, h0.launcherAddress(), port);
      Result viaLoopback = connectFrom(h0, "127.0.0.1", port);
      Result otherHost = connectFrom(h0, HOSTS.host("h1").address(), 22);

      assertThat(viaVeth.exitCode()).as(viaVeth.stderr()).isNotZero();
      assertThat(viaVeth.stderr()).contains("Connection refused");
      assertThat(viaLoopback.exitCode()).isNotZero();
      assertThat(otherHost.exitCode()).as("hosts cannot reach each other").isNotZero();
    }
  }

  @Test
  void launcherReachesEachHostsSshdOnItsOwnAddress() throws Exception {
    for (SshTestHosts.Host h : HOSTS.hosts()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(h.address(), 22), 2000);
        byte[] banner = s.getInputStream().readNBytes(8);
        assertThat(new String(banner, java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("SSH-2.0-");
      }
    }
  }

  @Test
  void java17RunsInsideAHost() throws Exception {
    Result r = HOSTS.inHost(HOSTS.host("h0"), "java", "-version");

    assertThat(r.exitCode()).isZero();
    assertThat(SshConnection.javaMajor(r.stderr())).isPresent();
    assertThat(SshConnection.javaMajor(r.stderr()).getAsInt()).isGreaterThanOrEqualTo(17);
  }

  @Test
  void closeRemovesEverythingAndLeftoversOfDeadRunsGoAtTheNextStart() throws Exception {
    long deadPid = 4_194_305; // above Linux's largest possible pid (PID_MAX_LIMIT): never alive
    String leftover = SshTestHosts.PREFIX + deadPid + "-0";
    String othersLive = SshTestHosts.PREFIX + "1-0"; // pid 1 is alive: a parallel run's
    Path leftoverDir = Files.createDirectories(Path.of("/tmp", SshTestHosts.PREFIX + deadPid + "-x"));
    try {
      sh("ip", "netns", "add", leftover);
      sh("ip", "netns", "add", othersLive);
      SshTestHosts more = new SshTestHosts().withHost("m0");
      more.start();
      String ns = more.host("m0").namespace();
      List<Long> inside = LocalCommand.run(List.of("ip", "netns", "pids", ns), Map.of(),
          Optional.empty(), java.time.Duration.ofSeconds(10)).stdout().lines()
          .map(String::strip).map(Long::parseLong).toList();
      Path home = more.home();

      assertThat(SshTestHosts.namespaces()).doesNotContain(leftover).contains(othersLive, ns);
      assertThat(leftoverDir).doesNotExist();
      assertThat(inside).as("sshd runs in the namespace").isNotEmpty();

      more.close();

      assertThat(SshTestHosts.namespaces()).doesNotContain(ns);
      assertThat(inside).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
      assertThat(home).doesNotExist();
      String number = ns.substring(ns.lastIndexOf('-') + 1);
      Result links = LocalCommand.run(List.of("ip", "-o", "link", "show"), Map.of(),
          Optional.empty(), java.time.Duration.ofSeconds(10));
      assertThat(links.stdout()).as("its veth is gone")
          .doesNotContain("as" + ProcessHandle.current().pid() + "r" + number + "@");
    } finally {
      LocalCommand.run(List.of("ip", "netns", "delete", othersLive), Map.of(), Optional.empty(),
          java.time.Duration.ofSeconds(10));
      LocalCommand.run(List.of("ip", "netns", "delete", leftover), Map.of(), Optional.empty(),
          java.time.Duration.ofSeconds(10));
      Files.deleteIfExists(leftoverDir);
    }
  }

  private static void sh(String... command) throws Exception {
    Result r = LocalCommand.run(List.of(command), Map.of(), Optional.empty(),
        java.time.Duration.ofSeconds(10));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
  }
}
