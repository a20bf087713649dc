package dev.aether.cli;

import picocli.CommandLine.Option;

/** {@code -N/--name}, shared by every command that works on a project. */
final class ProjectOption {
  @Option(names = {"-N", "--name"}, paramLabel = "NAME", description = "Project name; names the"
      + " bucket: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with"
      + " a letter or digit.")
  String name;
}
