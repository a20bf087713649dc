package dev.aether.providers.aws;

import dev.aether.core.catalog.InstanceType;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ArchitectureType;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * Reads the instance types offered in the client's region (EC2 DescribeInstanceTypes, all pages).
 * See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html
 */
final class InstanceTypesReader {
  private static final double MIB_PER_GIB = 1024.0;

  private final Ec2Client ec2;

  InstanceTypesReader(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  /** Instance types by name. */
  Map<String, InstanceType> read() {
    Map<String, InstanceType> types = new TreeMap<>();
    ec2.describeInstanceTypesPaginator(DescribeInstanceTypesRequest.builder().build())
        .instanceTypes()
        .forEach(info -> toInstanceType(info).ifPresent(t -> types.put(t.name(), t)));
    return types;
  }

  /** Empty for types we cannot run (no vCPU or memory figure, or an architecture we do not build). */
  static Optional<InstanceType> toInstanceType(InstanceTypeInfo info) {
    if (info.vCpuInfo() == null || info.vCpuInfo().defaultVCpus() == null
        || info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null) {
      return Optional.empty();
    }
    Optional<String> arch = architecture(info);
    if (arch.isEmpty()) {
      return Optional.empty();
    }
    int storageGb =
        Boolean.TRUE.equals(info.instanceStorageSupported())
                && info.instanceStorageInfo() != null
                && info.instanceStorageInfo().totalSizeInGB() != null
            ? Math.toIntExact(info.instanceStorageInfo().totalSizeInGB())
            : 0;
    return Optional.of(
        new InstanceType(
            info.instanceTypeAsString(),
            info.vCpuInfo().defaultVCpus(),
            info.memoryInfo().sizeInMiB() / MIB_PER_GIB,
            storageGb,
            arch.get()));
  }

  /** x86_64 or arm64; 32-bit-only and Mac types are left out (no Amazon Linux 2023 AMI for us). */
  private static Optional<String> architecture(InstanceTypeInfo info) {
    if (info.processorInfo() == null) {
      return Optional.empty();
    }
    var archs = info.processorInfo().supportedArchitectures();
    if (archs.contains(ArchitectureType.X86_64)) {
      return Optional.of("x86_64");
    }
    if (archs.contains(ArchitectureType.ARM64)) {
      return Optional.of("arm64");
    }
    return Optional.empty();
  }
}
