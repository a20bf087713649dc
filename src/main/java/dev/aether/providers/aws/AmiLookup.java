package dev.aether.providers.aws;

import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The latest Amazon Linux 2023 image for an architecture, from AWS's public SSM parameter, so we
 * never hard-code an AMI id that differs per region and ages. See
 * https://docs.aws.amazon.com/linux/al2023/ug/ec2.html#launch-via-aws-cli
 */
final class AmiLookup {
  static final String PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

  private final SsmClient ssm;

  AmiLookup(SsmClient ssm) {
    this.ssm = ssm;
  }

  /** @param arch {@code x86_64} or {@code arm64} */
  String imageFor(String arch) {
    return ssm.getParameter(b -> b.name(PARAMETER + arch)).parameter().value();
  }
}
