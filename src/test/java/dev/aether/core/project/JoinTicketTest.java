package dev.aether.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTicketTest {
  @TempDir Path home;

  private final JoinTicket ticket = new JoinTicket(URI.create("http://127.0.0.1:4711"),
      "s3cr3t-token", "demo", 2, 1.5, ProcessHandle.current().pid());

  @Test
  void isWrittenForItsOwnerOnlyAndReadBack() throws Exception {
    ProjectDirs dirs = new ProjectDirs(home);
    Path file = JoinTicket.file(dirs, "demo");
    ticket.write(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(JoinTicket.read(dirs, "demo")).isEqualTo(ticket);
    assertThat(ticket.toString()).doesNotContain("s3cr3t-token");
    try (var left = Files.list(file.getParent())) {
      assertThat(left).containsExactly(file);
    }
  }

  @Test
  void aTicketOthersCanReadIsRefused() {
    ProjectDirs dirs = new ProjectDirs(home);
    Path file = JoinTicket.file(dirs, "demo");
    ticket.write(file);
    file.toFile().setReadable(true, false);

    assertThatThrownBy(() -> JoinTicket.read(dirs, "demo")).isInstanceOf(AetherException.class)
        .hasMessageContaining("may be read by other users");
  }

  @Test
  void aTicketLeftByAnEndedLauncherSaysTheBatchIsOver() {
    ProjectDirs dirs = new ProjectDirs(home);
    new JoinTicket(ticket.coordinator(), ticket.token(), "demo", 2, 1.5, 4_194_305)
        .write(JoinTicket.file(dirs, "demo"));

    assertThatThrownBy(() -> JoinTicket.read(dirs, "demo"))
        .hasMessage("the batch of project demo is no longer running (its launcher, process"
            + " 4194305, has ended); run it again, then join");
  }

  @Test
  void isDeletedOnlyByTheRunThatWroteIt() {
    ProjectDirs dirs = new ProjectDirs(home);
    Path file = JoinTicket.file(dirs, "demo");
    ticket.write(file);
    JoinTicket newer = new JoinTicket(ticket.coordinator(), "another-token", "demo", 2, 1.5,
        ProcessHandle.current().pid());
    newer.write(file);

    ticket.deleteIfCurrent(file);
    assertThat(file).exists();
    assertThat(JoinTicket.holds(file, "another-token")).isTrue();
    newer.deleteIfCurrent(file);
    assertThat(file).doesNotExist();
  }
}
