package dev.aether.core.catalog;

import java.util.Locale;

/**
 * A machine shape, and the provider's facts about it that the bidder filters and counts on. Core
 * never derives these facts from the name: the provider (or the catalog file) states them.
 *
 * @param name provider's type name, e.g. {@code c5.large}
 * @param vcpus virtual CPUs (count)
 * @param memoryGib memory in GiB
 * @param storageGb local instance storage in GB, decimals kept (0 = none; network disks only)
 * @param arch CPU architecture: {@code x86_64} or {@code arm64}
 * @param burstable the type guarantees only a baseline share of its vCPUs (AWS t2, t3, t4g,
 *     {@code -flex}), which a batch job at full load soon exhausts
 * @param accelerated the type carries GPUs, FPGAs or other accelerators a CPU job pays for unused
 * @param previousGeneration the provider lists the type as previous generation: slower per vCPU
 *     than its price suggests, and scarce
 * @param quotaClass the vCPU quota bucket the provider counts the type under, compared exactly
 *     with the classes of a limits file (AWS: {@code standard}, {@code g}, {@code p}, ...)
 */
public record InstanceType(
    String name,
    int vcpus,
    double memoryGib,
    double storageGb,
    String arch,
    boolean burstable,
    boolean accelerated,
    boolean previousGeneration,
    String quotaClass) {

  /** The quota class of a type whose provider states none. */
  public static final String DEFAULT_QUOTA_CLASS = "standard";

  public InstanceType {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("instance type name is empty");
    }
    if (vcpus <= 0) {
      throw new IllegalArgumentException(name + ": vcpus must be > 0, got " + vcpus);
    }
    if (!(memoryGib > 0) || Double.isInfinite(memoryGib)) {
      throw new IllegalArgumentException(name + ": memory_gib must be > 0, got " + memoryGib);
    }
    if (!(storageGb >= 0) || Double.isInfinite(storageGb)) {
      throw new IllegalArgumentException(name + ": storage_gb must be >= 0, got " + storageGb);
    }
    arch = arch == null || arch.isBlank() ? "x86_64" : arch.toLowerCase(Locale.ROOT);
    quotaClass = quotaClass == null || quotaClass.isBlank() ? DEFAULT_QUOTA_CLASS
        : quotaClass.strip();
  }

  /**
   * A shape without provider facts: not burstable, not accelerated, current generation, quota
   * class {@value #DEFAULT_QUOTA_CLASS}.
   */
  public InstanceType(String name, int vcpus, double memoryGib, double storageGb, String arch) {
    this(name, vcpus, memoryGib, storageGb, arch, false, false, false, DEFAULT_QUOTA_CLASS);
  }

  /** This shape with the provider's facts. */
  public InstanceType withFacts(boolean burstable, boolean accelerated, boolean previousGeneration,
      String quotaClass) {
    return new InstanceType(name, vcpus, memoryGib, storageGb, arch, burstable, accelerated,
        previousGeneration, quotaClass);
  }

  /** True if the type has local instance storage (the STORAGE column of prov.psv). */
  public boolean hasStorage() {
    return storageGb > 0;
  }

  /** See {@link #burstable()}. */
  public boolean isBurstable() {
    return burstable;
  }

  /** See {@link #accelerated()}. */
  public boolean isAccelerated() {
    return accelerated;
  }

  /** See {@link #previousGeneration()}. */
  public boolean isPreviousGeneration() {
    return previousGeneration;
  }

  /** The part of the name before the first dot, e.g. {@code c5d} for {@code c5d.large}. */
  public String family() {
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }
}
