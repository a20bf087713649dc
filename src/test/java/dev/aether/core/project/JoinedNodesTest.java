package dev.aether.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinedNodesTest {
  @TempDir Path home;

  @Test
  void aJoinedNodeCountsWhileItsProcessRunsAndUntilItLeaves() throws Exception {
    ProjectDirs dirs = new ProjectDirs(home);
    assertThat(JoinedNodes.alive(dirs, "demo")).isEmpty();

    try (AutoCloseable joined = JoinedNodes.register(dirs, "demo", "h3-1a2b")) {
      assertThat(JoinedNodes.alive(dirs, "demo")).containsExactly("h3-1a2b");
    }
    assertThat(JoinedNodes.alive(dirs, "demo")).isEmpty();
  }

  @Test
  void aNodeWhoseProcessHasEndedIsForgotten() throws Exception {
    ProjectDirs dirs = new ProjectDirs(home);
    Path left = dirs.work("demo").resolve("joined/h3-dead");
    Files.createDirectories(left.getParent());
    Files.writeString(left, "4194305"); // above Linux's largest pid: never alive

    assertThat(JoinedNodes.alive(dirs, "demo")).isEmpty();
    assertThat(left).doesNotExist();
  }
}
