package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Offer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ec2.model.ArchitectureType;
import software.amazon.awssdk.services.ec2.model.GpuInfo;
import software.amazon.awssdk.services.ec2.model.InstanceStorageInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

class AwsTaxonomyTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "c5.large, standard", "m7i-flex.xlarge, standard", "im4gn.large, standard",
    "is4gen.medium, standard", "z1d.large, standard", "t4g.nano, standard", "a1.medium, standard",
    "g4dn.xlarge, g", "gr6.4xlarge, g", "vt1.3xlarge, g", "g5g.xlarge, g",
    "p5.48xlarge, p", "p6-b200.48xlarge, p", "p6e-gb200.36xlarge, p",
    "u-6tb1.112xlarge, high-memory", "u7i-12tb.224xlarge, high-memory",
    "x2iedn.xlarge, x", "x8g.medium, x", "inf2.xlarge, inf", "trn1n.32xlarge, trn",
    "dl2q.24xlarge, dl", "f2.6xlarge, f", "hpc7a.96xlarge, hpc",
  })
  void namesTheQuotaClassAwsCountsATypeUnder(String type, String quotaClass) {
    assertThat(AwsTaxonomy.quotaClass(type)).isEqualTo(quotaClass);
  }

  @Test
  void lettersAwsHasNotUsedGetAClassOfTheirOwnNotStandard() {
    assertThat(AwsTaxonomy.quotaClass("q9.large")).isEqualTo("q");
  }

  @Test
  void gpuTypesAreAcceleratedWhateverTheirLetters() {
    assertThat(AwsTaxonomy.acceleratedByName("gr6.8xlarge")).isTrue();
    assertThat(AwsTaxonomy.acceleratedByName("p6-b200.48xlarge")).isTrue();
    assertThat(AwsTaxonomy.acceleratedByName("x2iedn.xlarge")).isFalse();
    assertThat(AwsTaxonomy.acceleratedByName("u-6tb1.112xlarge")).isFalse();
  }

  @Test
  void theEmbeddedSnapshotWasBuiltByTheSameRules() {
    // tools/make-embedded-catalog.py writes the facts from the names; the live catalog uses these.
    for (Offer o : EmbeddedCatalog.load().offers()) {
      InstanceType t = o.type();
      assertThat(AwsTaxonomy.byName(t)).as(t.name()).isEqualTo(t);
    }
  }

  @Test
  void liveTypesTakeTheirFactsFromTheApiWhereItStatesThem() {
    InstanceType gpu = InstanceTypesReader.toInstanceType(info("p6-b200.48xlarge", 192, 2_097_152)
        .gpuInfo(GpuInfo.builder().totalGpuMemoryInMiB(1_474_560).build())
        .instanceStorageSupported(true)
        .instanceStorageInfo(InstanceStorageInfo.builder().totalSizeInGB(30_400L).build())
        .currentGeneration(true).build()).orElseThrow();
    InstanceType burstable = InstanceTypesReader.toInstanceType(info("t3.micro", 2, 1024)
        .burstablePerformanceSupported(true).currentGeneration(true).build()).orElseThrow();
    InstanceType old = InstanceTypesReader.toInstanceType(info("m4.large", 2, 8192)
        .currentGeneration(false).build()).orElseThrow();
    InstanceType highMemory = InstanceTypesReader.toInstanceType(info("u-6tb1.112xlarge", 448,
        6_291_456).currentGeneration(true).build()).orElseThrow();

    assertThat(gpu.accelerated()).isTrue();
    assertThat(gpu.quotaClass()).isEqualTo("p");
    assertThat(gpu.storageGb()).isEqualTo(30_400.0);
    assertThat(burstable.burstable()).isTrue();
    assertThat(burstable.previousGeneration()).isFalse();
    assertThat(old.previousGeneration()).isTrue();
    assertThat(old.burstable()).isFalse();
    assertThat(highMemory.quotaClass()).isEqualTo("high-memory");
    assertThat(highMemory.accelerated()).isFalse();
  }

  private static InstanceTypeInfo.Builder info(String name, int vcpus, long mib) {
    return InstanceTypeInfo.builder().instanceType(name)
        .processorInfo(ProcessorInfo.builder().supportedArchitectures(ArchitectureType.X86_64)
            .build())
        .vCpuInfo(VCpuInfo.builder().defaultVCpus(vcpus).build())
        .memoryInfo(MemoryInfo.builder().sizeInMiB(mib).build());
  }
}
