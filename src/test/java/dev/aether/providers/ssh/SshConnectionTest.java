package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.aether.providers.ssh.LocalCommand.Result;
import dev.aether.providers.ssh.SshException.Kind;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SshConnection} against real OpenSSH servers, each in its own network namespace. */
class SshConnectionTest {
  @RegisterExtension
  static final SshTestHosts HOSTS = new SshTestHosts()
      .withHost("h0")
      .withHostWithoutJava("nojava")
      .withUnknownKeyHost("stranger")
      .withChangedKeyHost("impostor")
      .withSilentHost("down");

  private static final Duration T = Duration.ofSeconds(20);
  private final List<SshConnection> opened = new ArrayList<>();

  @AfterEach
  void logOut() {
    opened.forEach(SshConnection::close);
  }

  private SshConnection open(String address) {
    return open(address, HOSTS.settings());
  }

  private SshConnection open(String address, SshSettings settings) {
    SshConnection c = SshConnection.open(SshAddress.parse(address), settings);
    opened.add(c);
    return c;
  }

  @Test
  void runsACommandOnTheHostAndReportsItsStatusAndOutput() {
    SshConnection c = open("h0");

    Result r = c.run("ip -4 -o addr show; echo to-stderr >&2; exit 3", T);

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).as("ran inside the host's namespace")
        .contains(HOSTS.host("h0").address() + "/30");
    assertThat(r.stderr()).isEqualTo("to-stderr\n");
  }

  @Test
  void honoursTheSshConfigAliasAndTakesAnExplicitUserAndPort() {
    SshTestHosts.Host h0 = HOSTS.host("h0");
    SshConnection viaAlias = open("h0");
    assertThat(viaAlias.endpoint()).extracting(SshEndpoint::hostname, SshEndpoint::user,
        SshEndpoint::port).containsExactly(h0.address(), "root", 22);
    viaAlias.close();

    SshConnection direct = open("root@" + h0.address() + ":22");

    assertThat(direct.run("echo ok", T).stdout()).isEqualTo("ok\n");
  }

  @Test
  void passesArgumentsVerbatimWithoutAShellReadingThem() {
    SshConnection c = open("h0");
    List<String> args = List.of("two words", "it's", "$(touch /tmp/aeth-pwned)", "`id`", "a;b",
        "*", "-n", "\"q\"", "tab\there", "");

    Result r = c.run("for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done", args, Optional.empty(), T);

    StringBuilder want = new StringBuilder();
    args.forEach(a -> want.append('[').append(a).append("]\n"));
    assertThat(r.stdout()).isEqualTo(want.toString());
    assertThat(Path.of("/tmp/aeth-pwned")).doesNotExist();
  }

  @Test
  void stdinReachesTheRemoteProcessAndNoCommandLineHoldsIt() throws Exception {
    SshConnection c = open("h0");
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));

    // While the remote shell holds the secret (and the local ssh still runs), list every
    // process's command line on the machine (the namespaces share the process table).
    Result r = c.run("IFS= read -r t; printf '%s' \"$t\" | sha256sum;"
        + " for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\" 2>/dev/null; echo; done",
        List.of(), Optional.of(new ByteArrayInputStream((secret + "\n").getBytes(
            StandardCharsets.UTF_8))), T);

    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(secret.getBytes(StandardCharsets.UTF_8)));
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).startsWith(sha + "  -\n").contains("sh -c").doesNotContain(secret);
  }

  @Test
  void copiesAFileOnlyWhenTheHostsCopyDiffers() throws Exception {
    SshConnection c = open("h0");
    Path dir = Files.createDirectories(HOSTS.home().resolve("copy"));
    Path jar = dir.resolve("aether.jar");
    byte[] bytes = new byte[3 << 20];
    new SecureRandom().nextBytes(bytes);
    Files.write(jar, bytes);
    String remote = HOSTS.home().resolve("remote/lib/aether.jar").toString();

    assertThat(c.copy(jar, remote, T)).as("first copy").isTrue();
    assertThat(Files.readAllBytes(Path.of(remote))).isEqualTo(bytes);
    assertThat(c.run("stat -c %a \"$1\"", List.of(remote), Optional.empty(), T).stdout())
        .as("only its owner reads it").isEqualTo("600\n");
    long modified = Files.getLastModifiedTime(Path.of(remote)).toMillis();

    assertThat(c.copy(jar, remote, T)).as("unchanged").isFalse();
    assertThat(Files.getLastModifiedTime(Path.of(remote)).toMillis()).isEqualTo(modified);

    bytes[12345] ^= 1;
    Files.write(jar, bytes);
    assertThat(c.copy(jar, remote, T)).as("changed").isTrue();
    assertThat(Files.readAllBytes(Path.of(remote))).isEqualTo(bytes);
    try (var left = Files.list(Path.of(remote).getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("aether.jar");
    }
  }

  @Test
  void reverseTunnelLeadsFromTheHostsLoopbackToTheLaunchersLoopbackOnly() throws Exception {
    SshTestHosts.Host h0 = HOSTS.host("h0");
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "hello from the launcher".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      int launcherPort = server.getAddress().getPort();
      SshConnection c = open("h0");
      SshConnection.Tunnel tunnel = c.reverseTunnel(launcherPort);

      // Any process on the host, over SSH or not, reaches the server through the tunnel...
      Result overSsh = c.run("exec bash -c \"$1\"",
          List.of(httpGet("127.0.0.1", tunnel.remotePort())), Optional.empty(), T);
      Result inHost = HOSTS.inHost(h0, "bash", "-c", httpGet("127.0.0.1", tunnel.remotePort()));
      assertThat(overSsh.stdout()).startsWith("HTTP/1.1 200").endsWith("hello from the launcher");
      assertThat(inHost.stdout()).endsWith("hello from the launcher");

      // ...but not directly, and the tunnel is not open to the host's network.
      assertThat(HOSTS.inHost(h0, "bash", "-c", httpGet("127.0.0.1", launcherPort)).exitCode())
          .isNotZero();
      assertThat(HOSTS.inHost(h0, "bash", "-c", httpGet(h0.launcherAddress(), launcherPort))
          .exitCode()).isNotZero();
      Result fromNetwork = HOSTS.inHost(h0, "bash", "-c",
          httpGet(h0.address(), tunnel.remotePort()));
      assertThat(fromNetwork.stderr()).contains("Connection refused");

      assertThat(c.reverseTunnel(launcherPort)).as("one tunnel per launcher port")
          .isSameAs(tunnel);
      SshConnection.Tunnel other = c.reverseTunnel(9);
      tunnel.close();
      assertThat(HOSTS.inHost(h0, "bash", "-c", httpGet("127.0.0.1", tunnel.remotePort()))
          .exitCode()).as("closed tunnel").isNotZero();
      assertThat(HOSTS.inHost(h0, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + other.remotePort())
          .exitCode()).as("the other tunnel stays").isZero();
      assertThat(c.run("echo still-up", T).stdout()).isEqualTo("still-up\n");
    } finally {
      server.stop(0);
    }
  }

  private static String httpGet(String address, int port) {
    return "exec 3<>/dev/tcp/" + address + "/" + port
        + " && printf 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3 && cat <&3";
  }

  @Test
  void findsJava17OnAHostAndNamesAHostWithoutIt() {
    assertThat(open("h0").requireJava()).isGreaterThanOrEqualTo(17);

    SshConnection noJava = open("nojava");
    assertThatThrownBy(noJava::requireJava)
        .isInstanceOfSatisfying(SshException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.NO_JAVA);
          assertThat(e.exitStatus()).isEqualTo(2);
        })
        .hasMessageStartingWith("host nojava (" + HOSTS.host("nojava").address() + "): no java on"
            + " the PATH")
        .hasMessageContaining("Aether needs Java 17 or newer")
        .hasMessageNotContaining("\n");
  }

  @Test
  void refusesAnUnknownHostKeyWithTheCommandThatAddsIt() throws Exception {
    String address = HOSTS.host("stranger").address();
    String knownHostsBefore = Files.readString(HOSTS.knownHosts());

    assertThatThrownBy(() -> open("stranger"))
        .isInstanceOfSatisfying(SshException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_HOST_KEY))
        .hasMessageStartingWith("host stranger (" + address + "): refused, its host key is not in "
            + HOSTS.knownHosts())
        .hasMessageContaining("ssh-keyscan -p 22 " + address + " | ssh-keygen -lf -")
        .hasMessageNotContaining("\n");
    assertThat(Files.readString(HOSTS.knownHosts())).as("never added silently")
        .isEqualTo(knownHostsBefore);

    // The command the message gives is the fix.
    String message = captureMessage(() -> open("stranger"));
    Matcher fix = Pattern.compile("then add it: (.*)$").matcher(message);
    assertThat(fix.find()).as(message).isTrue();
    Result added = LocalCommand.run(List.of("sh", "-c", fix.group(1)), Map.of(), Optional.empty(),
        T);
    assertThat(added.exitCode()).as(added.stderr()).isZero();
    assertThat(open("stranger").run("echo in", T).stdout()).isEqualTo("in\n");
  }

  @Test
  void refusesAChangedHostKey() {
    String address = HOSTS.host("impostor").address();

    assertThatThrownBy(() -> open("impostor"))
        .isInstanceOfSatisfying(SshException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.CHANGED_HOST_KEY))
        .hasMessageStartingWith("host impostor (" + address + "): refused, its host key has"
            + " CHANGED")
        .hasMessageContaining("ssh-keygen -f " + HOSTS.knownHosts() + " -R '" + address + "'")
        .hasMessageNotContaining("\n");
  }

  @Test
  void refusesAWrongUserNamingIt() {
    assertThatThrownBy(() -> open("nobody@h0"))
        .isInstanceOfSatisfying(SshException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.AUTH_REFUSED);
          assertThat(e.exitStatus()).isEqualTo(2);
        })
        .hasMessageStartingWith("host nobody@h0 (" + HOSTS.host("h0").address() + "): user nobody"
            + " was refused (publickey)")
        .hasMessageNotContaining("\n");
  }

  @Test
  void anUnreachableHostFailsWithinTheConnectTimeout() {
    long started = System.nanoTime();

    assertThatThrownBy(() -> open("down"))
        .isInstanceOfSatisfying(SshException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessage("host down (" + HOSTS.host("down").address() + "): no answer from "
            + HOSTS.host("down").address() + " port 22 within 3s; check that the host is up, the"
            + " address is right, and port 22 is open to this machine");

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(2900))
        .isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void logsInWithAKeyFromTheUsersAgent() throws Exception {
    Path agentDir = Files.createDirectories(HOSTS.home().resolve("agent"));
    Path socket = agentDir.resolve("sock");
    Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
        .redirectErrorStream(true).redirectOutput(agentDir.resolve("log").toFile()).start();
    try {
      awaitFile(socket, agent);
      Map<String, Optional<String>> env = Map.of("SSH_AUTH_SOCK", Optional.of(socket.toString()));
      Result add = LocalCommand.run(List.of("ssh-add", HOSTS.identity().toString()), env,
          Optional.empty(), T);
      assertThat(add.exitCode()).as(add.stderr()).isZero();
      // Only the public half is on disk for this config: signing must come from the agent.
      Path pub = Files.copy(Path.of(HOSTS.identity() + ".pub"), agentDir.resolve("key.pub"));
      Path config = Files.writeString(agentDir.resolve("config"), Files.readString(
          HOSTS.sshConfig()).replace("IdentityFile " + HOSTS.identity(), "IdentityFile " + pub));

      SshConnection viaAgent = open("h0", HOSTS.settings(config, Optional.of(socket)));
      assertThat(viaAgent.run("echo via-agent", T).stdout()).isEqualTo("via-agent\n");
      viaAgent.close();

      assertThatThrownBy(() -> open("h0", HOSTS.settings(config, Optional.empty())))
          .as("the same config without the agent")
          .isInstanceOfSatisfying(SshException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_REFUSED));
    } finally {
      LocalCommand.stop(agent);
    }
  }

  @Test
  void closeEndsTheMasterAndItsTunnels() throws Exception {
    SshConnection c = open("h0");
    SshConnection.Tunnel tunnel = c.reverseTunnel(9); // nothing listens there: only the bind counts
    assertThat(HOSTS.inHost(HOSTS.host("h0"), "bash", "-c",
        "exec 3<>/dev/tcp/127.0.0.1/" + tunnel.remotePort()).exitCode())
        .as("the tunnel accepts while open").isZero();
    assertThat(c.isOpen()).isTrue();

    c.close();

    assertThat(c.isOpen()).isFalse();
    assertThat(HOSTS.inHost(HOSTS.host("h0"), "bash", "-c",
        "exec 3<>/dev/tcp/127.0.0.1/" + tunnel.remotePort()).exitCode()).isNotZero();
    assertThat(ProcessHandle.current().descendants()
        .map(p -> p.info().commandLine().orElse("")).filter(l -> l.contains("ControlPath=")))
        .as("no ssh process left").isEmpty();
    assertThatThrownBy(() -> c.run("true", T)).isInstanceOfSatisfying(SshException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.LOST));
  }

  private static String captureMessage(Runnable r) {
    try {
      r.run();
    } catch (SshException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a failure");
  }

  private static void awaitFile(Path file, Process owner) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(file)) {
      assertThat(owner.isAlive()).as("ssh-agent runs").isTrue();
      assertThat(System.nanoTime()).as("ssh-agent made its socket in time").isLessThan(deadline);
      owner.waitFor(20, TimeUnit.MILLISECONDS);
    }
  }
}
