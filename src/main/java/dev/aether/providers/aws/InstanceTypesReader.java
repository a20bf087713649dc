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

  /**
   * Empty for types we cannot run (no vCPU or memory figure, or an architecture we do not build).
   * The facts the bidder filters on come from the API where it states them (burstable
   * performance, current generation, GPU, FPGA, inference and Neuron accelerators) and from the
   * name otherwise ({@link AwsTaxonomy}: the quota class, {@code -flex}).
   */
  static Optional<InstanceType> toInstanceType(InstanceTypeInfo info) {
    if (info.vCpuInfo() == null || info.vCpuInfo().defaultVCpus() == null
        || info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null) {
      return Optional.empty();
    }
    Optional<String> arch = architecture(info);
    if (arch.isEmpty()) {
      return Optional.empty();
    }
    long storageGb =
        Boolean.TRUE.equals(info.instanceStorageSupported())
                && info.instanceStorageInfo() != null
                && info.instanceStorageInfo().totalSizeInGB() != null
            ? info.instanceStorageInfo().totalSizeInGB()
            : 0;
    String name = info.instanceTypeAsString();
    boolean burstable = Boolean.TRUE.equals(info.burstablePerformanceSupported())
        || AwsTaxonomy.burstableByName(name);
    boolean accelerated = info.gpuInfo() != null || info.fpgaInfo() != null
        || info.inferenceAcceleratorInfo() != null || info.neuronInfo() != null
        || AwsTaxonomy.acceleratedByName(name);
    boolean previous = info.currentGeneration() != null ? !info.currentGeneration()
        : AwsTaxonomy.previousGenerationByName(name);
    return Optional.of(
        new InstanceType(
            name,
            info.vCpuInfo().defaultVCpus(),
            info.memoryInfo().sizeInMiB() / MIB_PER_GIB,
            storageGb,
            arch.get(),
            burstable,
            accelerated,
            previous,
            AwsTaxonomy.quotaClass(name)));
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
