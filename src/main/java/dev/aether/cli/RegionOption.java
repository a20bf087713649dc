package dev.aether.cli;

import picocli.CommandLine.Option;

/** {@code -R/--region}, shared by the commands that talk to a cloud. */
final class RegionOption {
  @Option(names = {"-R", "--region"}, paramLabel = "REGION",
      description = "Cloud region (default: us-east-1).")
  String region;
}
