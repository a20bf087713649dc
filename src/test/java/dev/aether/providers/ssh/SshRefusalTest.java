package dev.aether.providers.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.AetherException;
import dev.aether.providers.ssh.SshBatch.Run;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hosts file with one host that cannot be used: the batch is refused before anything starts,
 * with one line naming the host and the fix, exit status 2; the good host is left untouched and
 * nothing reaches the bucket.
 */
class SshRefusalTest {
  @RegisterExtension
  static final SshTestHosts HOSTS = new SshTestHosts().withHost("good").withUnknownKeyHost(
      "stranger").withHostWithoutJava("nojava").withSilentHost("down");

  @TempDir Path dir;

  private Run refused(String badLine) throws Exception {
    SshBatch b = new SshBatch(HOSTS, dir, "refused");
    Path hosts = b.file("hosts.txt", "good\n" + badLine + "\n");
    Run run = SshBatch.aether(b.batch(hosts, 3));
    assertThat(run.status()).as(run.toString()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).as("one line").doesNotContain("\n").startsWith("aether: host ")
        .endsWith("; nothing was started");
    assertThat(HOSTS.homeOf(HOSTS.host("good")).resolve(".aether")).as("nothing copied to the"
        + " good host").doesNotExist();
    assertThat(b.bucket().resolve("script")).as("nothing uploaded").doesNotExist();
    assertThat(b.agents(HOSTS.host("good"))).isEmpty();
    return run;
  }

  @Test
  void anUnknownHostKeyIsRefusedWithTheCommandToAddIt() throws Exception {
    String address = HOSTS.host("stranger").address();
    assertThat(refused("stranger").err()).contains("host stranger (" + address + "): refused,"
        + " its host key is not in " + HOSTS.knownHosts())
        .contains("ssh-keyscan -p 22 " + address + " >> " + HOSTS.knownHosts());
  }

  @Test
  void aWrongUserIsNamed() throws Exception {
    assertThat(refused("nobody@good").err()).contains("host nobody@good ("
        + HOSTS.host("good").address() + "): user nobody was refused (publickey)");
  }

  @Test
  void aHostWithoutJavaIsToldWhatToInstall() throws Exception {
    assertThat(refused("nojava").err()).contains("host nojava (" + HOSTS.host("nojava").address()
        + "): no java on the PATH").contains("Aether needs Java 17 or newer on each host");
  }

  @Test
  void anUnreachableHostIsNamedWithinTheConnectTimeout() throws Exception {
    String address = HOSTS.host("down").address();
    assertThat(refused("down").err()).contains("host down (" + address + "): no answer from "
        + address + " port 22 within 2s");
  }

  @Test
  void severalBadHostsAreAllNamedInTheOneLine() throws Exception {
    SshBatch b = new SshBatch(HOSTS, dir, "refused");
    Path hosts = b.file("hosts.txt", "stranger\ngood\nnojava\nnobody@good\n");
    Run run = SshBatch.aether(b.batch(hosts, 3));
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip()).doesNotContain("\n")
        .startsWith("aether: host stranger (" + HOSTS.host("stranger").address() + "): refused")
        .contains("(2 more hosts failed too: nojava (no java), nobody@good (login refused));"
            + " nothing was started");
  }

  @Test
  void aDryRunChecksTheHostsAndShowsWhatTheyOffer() throws Exception {
    SshBatch b = new SshBatch(HOSTS, dir, "dry");
    Path hosts = b.file("hosts.txt", "good slots=1\n");
    List<String> args = new java.util.ArrayList<>(b.batch(hosts, 3));
    args.add("--dry-run");
    Run run = SshBatch.aether(args);
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Plan for 3 jobs of 1 core and 0.5 GB each on the ssh provider (no"
        + " bidding: it runs on the nodes below)")
        .containsPattern("(?m)^NODE +WHERE +COUNT +CORES +GB +SLOTS$")
        .containsPattern("(?m)^good +- +1 +1 +0.5 +1$")
        .contains("Cost: nothing billed by Aether");
    assertThat(HOSTS.homeOf(HOSTS.host("good")).resolve(".aether")).doesNotExist();
    assertThat(b.bucket()).doesNotExist();
  }
}
