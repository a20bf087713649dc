package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.providers.ssh.SshException.Kind;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What OpenSSH 9.2's client prints for each failure (copied from real runs), and our line. */
class SshErrorsTest {
  private static final SshEndpoint LAB = new SshEndpoint(SshAddress.parse("lab"), "alice",
      "10.1.2.3", 2222, "~/.ssh/known_hosts");

  static Stream<Arguments> sshMessages() {
    return Stream.of(
        Arguments.of("No ED25519 host key is known for [10.1.2.3]:2222 and you have requested"
            + " strict checking.\nHost key verification failed.\n", Kind.UNKNOWN_HOST_KEY,
            "host lab (10.1.2.3): refused, its host key is not in ~/.ssh/known_hosts; check the"
            + " key's fingerprint with the host's owner (ssh-keyscan -p 2222 10.1.2.3 | ssh-keygen"
            + " -lf -), then add it: ssh-keyscan -p 2222 10.1.2.3 >> ~/.ssh/known_hosts"),
        Arguments.of("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            + "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
            + "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
            + "Offending ED25519 key in /home/alice/.ssh/known_hosts:1\n"
            + "Host key for [10.1.2.3]:2222 has changed and you have requested strict checking.\n"
            + "Host key verification failed.\n", Kind.CHANGED_HOST_KEY,
            "host lab (10.1.2.3): refused, its host key has CHANGED from the one in"
            + " ~/.ssh/known_hosts (someone may be intercepting the connection, or the host was"
            + " reinstalled); if you know why, remove the old key (ssh-keygen -f"
            + " ~/.ssh/known_hosts -R '[10.1.2.3]:2222') and add the new one after checking its"
            + " fingerprint (ssh-keyscan -p 2222 10.1.2.3 | ssh-keygen -lf -)"),
        Arguments.of("alice@10.1.2.3: Permission denied (publickey,password).\n",
            Kind.AUTH_REFUSED, "host lab (10.1.2.3): user alice was refused (publickey,password);"
            + " check the user name (in the hosts file or User in ~/.ssh/config), that your key"
            + " is in your agent (ssh-add -l) or named by IdentityFile, and that its public key"
            + " is in ~alice/.ssh/authorized_keys on that host"),
        Arguments.of("Received disconnect from 10.1.2.3 port 2222:2: Too many authentication"
            + " failures\n", Kind.AUTH_REFUSED, "host lab (10.1.2.3): user alice was refused;"),
        Arguments.of("ssh: connect to host 10.1.2.3 port 2222: Connection timed out\n",
            Kind.UNREACHABLE, "host lab (10.1.2.3): no answer from 10.1.2.3 port 2222 within 5s;"),
        Arguments.of("Connection timed out during banner exchange\n", Kind.UNREACHABLE,
            "no answer from 10.1.2.3 port 2222 within 5s"),
        Arguments.of("ssh: connect to host 10.1.2.3 port 2222: Connection refused\n",
            Kind.UNREACHABLE, "host lab (10.1.2.3): 10.1.2.3 port 2222 refused the connection;"
            + " is sshd running there, on that port?"),
        Arguments.of("ssh: connect to host 10.1.2.3 port 2222: No route to host\n",
            Kind.UNREACHABLE, "host lab (10.1.2.3): cannot reach 10.1.2.3 port 2222 (ssh: connect"
            + " to host 10.1.2.3 port 2222: No route to host)"),
        Arguments.of("ssh: Could not resolve hostname lab.invalid: Name or service not known\n",
            Kind.UNREACHABLE, "cannot reach 10.1.2.3 port 2222 (ssh: Could not resolve hostname"),
        Arguments.of("kex_exchange_identification: Connection closed by remote host\n"
            + "Connection closed by 10.1.2.3 port 2222\n", Kind.UNREACHABLE,
            "10.1.2.3 port 2222 closed the connection before login (Connection closed by"
            + " 10.1.2.3 port 2222)"),
        Arguments.of("/home/alice/.ssh/config line 3: Bad configuration option: hostnam\n",
            Kind.FAILED, "host lab (10.1.2.3): ssh failed: /home/alice/.ssh/config line 3: Bad"
            + " configuration option: hostnam"),
        Arguments.of("", Kind.FAILED, "host lab (10.1.2.3): ssh failed: no message"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("sshMessages")
  void turnsEachSshFailureIntoOneLineNamingTheHostAndTheFix(String stderr, Kind kind,
      String line) {
    SshException e = SshErrors.loginFailed(LAB, stderr, Duration.ofSeconds(5));

    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.getMessage()).contains(line).doesNotContain("\n");
  }

  @Test
  void knownHostsNamesPort22HostsWithoutBrackets() {
    SshEndpoint standard = new SshEndpoint(SshAddress.parse("10.1.2.3"), "alice", "10.1.2.3", 22,
        "~/.ssh/known_hosts");

    assertThat(SshErrors.loginFailed(standard, "Host key for 10.1.2.3 has changed and you have"
        + " requested strict checking.\n", Duration.ofSeconds(5)).getMessage())
        .startsWith("host 10.1.2.3: refused").contains("-R '10.1.2.3')");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      openjdk version "17.0.15" 2025-04-15                          | 17
      openjdk version "21" 2023-09-19 LTS                           | 21
      java version "1.8.0_392"                                      | 8
      openjdk version "11.0.22" 2024-01-16                          | 11
      Picked up JAVA_TOOL_OPTIONS: -Xmx1g openjdk version "22-ea"   | 22
      """)
  void readsTheMajorJavaVersion(String output, int major) {
    assertThat(SshConnection.javaMajor(output)).isEqualTo(OptionalInt.of(major));
  }

  @Test
  void findsNoJavaVersionInOtherOutput() {
    assertThat(SshConnection.javaMajor("sh: 1: java: not found")).isEmpty();
  }

  @Test
  void quotesARemoteCommandSoTheLoginShellPassesItUnchanged() {
    assertThat(SshConnection.remoteCommand("echo \"$1\"", java.util.List.of("it's", "")))
        .isEqualTo("sh -c 'echo \"$1\"' aether 'it'\\''s' ''");
  }
}
