package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HostsFileTest {

  static Stream<Arguments> goodLines() {
    return Stream.of(
        // line, user, host, port, slots
        Arguments.of("node1", null, "node1", null, null),
        Arguments.of("alice@node1.example.org", "alice", "node1.example.org", null, null),
        Arguments.of("node1:2222", null, "node1", 2222, null),
        Arguments.of("bob@10.0.0.7:22 slots=4", "bob", "10.0.0.7", 22, 4),
        Arguments.of("  build_box\tslots=16  ", null, "build_box", null, 16),
        Arguments.of("[fd00::2]", null, "fd00::2", null, null),
        Arguments.of("[fd00::2]:2222 slots=1", null, "fd00::2", 2222, 1),
        Arguments.of("carol@[::1]:22", "carol", "::1", 22, null),
        Arguments.of("[fe80::1%eth0]", null, "fe80::1%eth0", null, null),
        Arguments.of("d.e-v@host-1 slots=2 # the big one", "d.e-v", "host-1", null, 2),
        Arguments.of("node1 #comment", null, "node1", null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void readsAGoodLine(String line, String user, String host, Integer port, Integer slots) {
    HostsFile file = HostsFile.parse("hosts.txt", List.of(line));

    assertThat(file.entries()).singleElement().satisfies(e -> {
      assertThat(e.address().user()).isEqualTo(Optional.ofNullable(user));
      assertThat(e.address().host()).isEqualTo(host);
      assertThat(e.address().port()).isEqualTo(Optional.ofNullable(port));
      assertThat(e.slots()).isEqualTo(Optional.ofNullable(slots));
      assertThat(e.line()).isEqualTo(1);
    });
  }

  static Stream<Arguments> badLines() {
    return Stream.of(
        // line, what the message must say after "hosts.txt line 2: "
        Arguments.of("fd00::2", "IPv6 address fd00::2 must be in brackets: [fd00::2]"),
        Arguments.of("alice@fd00::2:22", "IPv6 address fd00::2:22 must be in brackets"),
        Arguments.of("node1:", "port '' is not a number"),
        Arguments.of("node1:ssh", "port 'ssh' is not a number"),
        Arguments.of("node1:0", "port 0 is not between 1 and 65535"),
        Arguments.of("node1:70000", "port 70000 is not between 1 and 65535"),
        Arguments.of("@node1", "the user name before '@' is empty"),
        Arguments.of("alice@", "the host is missing"),
        Arguments.of("-oProxyCommand=touch_x", "host '-oProxyCommand=touch_x' may not start with '-'"),
        Arguments.of("-x@node1", "user name '-x' is not a valid user name"),
        Arguments.of("a@b@node1", "host 'b@node1' is not a host name or address"),
        Arguments.of("no$de", "host 'no$de' is not a host name or address"),
        Arguments.of("[node1]", "'node1' in brackets is not an IPv6 address"),
        Arguments.of("[fd00::2", "is not [user@]host[:port]"),
        Arguments.of("node1 slots=0", "slots must be a whole number of at least 1, got '0'"),
        Arguments.of("node1 slots=four", "slots must be a whole number of at least 1, got 'four'"),
        Arguments.of("node1 slots=-1", "got '-1'"),
        Arguments.of("node1 slots=2 slots=3", "slots= is given twice"),
        Arguments.of("node1 cores=4", "unexpected 'cores=4' after node1 (only slots=N may follow"),
        Arguments.of("node1 node2", "unexpected 'node2' after node1"),
        Arguments.of("node1#x", "host 'node1#x' is not a host name or address"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badLines")
  void refusesABadLineNamingIt(String line, String message) {
    assertThatThrownBy(() -> HostsFile.parse("hosts.txt", List.of("# mine", line, "node9")))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessageStartingWith("hosts.txt line 2: ")
        .hasMessageContaining(message)
        .hasMessageNotContaining("\n");
  }

  @Test
  void skipsBlankAndCommentLinesAndKeepsLineNumbers() {
    HostsFile file = HostsFile.parse("hosts.txt",
        List.of("# lab", "", "   ", "alice@a slots=2", "\t# indented comment", "b:2200"));

    assertThat(file.entries()).extracting(e -> e.address().toString(), HostsFile.Entry::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alice@a", 4),
            org.assertj.core.groups.Tuple.tuple("b:2200", 6));
  }

  @Test
  void refusesTheSameHostTwiceNamingBothLines() {
    assertThatThrownBy(() -> HostsFile.parse("hosts.txt", List.of("alice@a", "b", "alice@a:22",
        "alice@a slots=3")))
        .hasMessage("hosts.txt line 4: alice@a is already listed on line 1"
            + " (give one line slots=N instead)");
  }

  @Test
  void refusesAFileWithNoHosts() {
    assertThatThrownBy(() -> HostsFile.parse("conf/hosts.txt", List.of("# none yet", "")))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("conf/hosts.txt lists no hosts");
  }

  @Test
  void namesTheFileAsTheUserGaveIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("my-hosts.txt"), "ok\nbad host here\n");

    assertThatThrownBy(() -> HostsFile.read(file))
        .hasMessageStartingWith(file + " line 2: unexpected 'host' after bad");
    assertThatThrownBy(() -> HostsFile.read(dir.resolve("missing.txt")))
        .isInstanceOfSatisfying(AetherException.class,
            e -> assertThat(e.exitStatus()).isEqualTo(AetherException.INVALID_INPUT))
        .hasMessage("hosts file " + dir.resolve("missing.txt") + " does not exist");
  }

  @Test
  void writesAnAddressBackAsItIsRead() {
    for (String text : List.of("a", "u@a", "u@a:2", "[fd00::2]", "u@[fd00::2]:2222")) {
      assertThat(SshAddress.parse(text)).hasToString(text);
      assertThat(SshAddress.parse(SshAddress.parse(text).toString()))
          .isEqualTo(SshAddress.parse(text));
    }
  }
}
