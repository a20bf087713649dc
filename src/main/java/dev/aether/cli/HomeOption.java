package dev.aether.cli;

import dev.aether.core.project.ProjectDirs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --aether-home}, shared by every command that finds projects on this machine. */
final class HomeOption {
  @Option(names = "--aether-home", paramLabel = "DIR",
      description = "Where Aether keeps projects on this machine (default: $AETHER_HOME, else"
          + " ~/.aether).")
  Path home;

  ProjectDirs dirs() {
    return ProjectDirs.of(home);
  }
}
