package dev.aether.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectDirsTest {
  @Test
  void projectsLiveUnderAetherHome() {
    ProjectDirs dirs = ProjectDirs.fromEnvironment(Map.of("AETHER_HOME", "/tmp/ah"));
    assertThat(dirs.bucket("p01")).isEqualTo(Path.of("/tmp/ah/projects/p01"));
    assertThat(dirs.ledger("p01")).isEqualTo(Path.of("/tmp/ah/work/p01/ledger.db"));
    assertThat(ProjectDirs.fromEnvironment(Map.of()).home())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".aether"));
  }
}
