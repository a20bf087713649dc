package dev.aether.core.catalog;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A machine shape.
 *
 * @param name provider's type name, e.g. {@code c5.large}
 * @param vcpus virtual CPUs (count)
 * @param memoryGib memory in GiB
 * @param storageGb local instance storage in GB (0 = none; EBS only)
 * @param arch CPU architecture: {@code x86_64} or {@code arm64}
 */
public record InstanceType(String name, int vcpus, double memoryGib, int storageGb, String arch) {
  private static final Pattern FAMILY = Pattern.compile("^([a-z]+?)(\\d*)([a-z-]*)\\..*$");

  public InstanceType {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("instance type name is empty");
    }
    if (vcpus <= 0) {
      throw new IllegalArgumentException(name + ": vcpus must be > 0, got " + vcpus);
    }
    if (!(memoryGib > 0)) {
      throw new IllegalArgumentException(name + ": memory_gib must be > 0, got " + memoryGib);
    }
    if (storageGb < 0) {
      throw new IllegalArgumentException(name + ": storage_gb must be >= 0, got " + storageGb);
    }
    arch = arch == null || arch.isBlank() ? "x86_64" : arch.toLowerCase(Locale.ROOT);
  }

  /** True if the type has local instance storage (the STORAGE column of prov.psv). */
  public boolean hasStorage() {
    return storageGb > 0;
  }

  /**
   * True for burstable types (t2, t3, t3a, t4g, and the -flex types such as m7i-flex): they
   * guarantee only a baseline fraction of their vCPUs, which a batch job at full load soon
   * exceeds. See https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
   */
  public boolean isBurstable() {
    return family().matches("t\\d+[a-z]*") || family().endsWith("-flex");
  }

  /**
   * True for accelerated-computing types (GPU, FPGA, Inferentia, Trainium, Gaudi: quota classes
   * f, g, inf, p, dl, trn): a CPU job pays for hardware it does not use, and new accounts often
   * have a quota of 0 for them.
   */
  public boolean isAccelerated() {
    return java.util.Set.of("f", "g", "inf", "p", "dl", "trn").contains(quotaClass());
  }

  /**
   * True for the families AWS lists as previous generation
   * (https://docs.aws.amazon.com/ec2/latest/instancetypes/pg.html): slower per vCPU than current
   * types, so a slot on them is worth less than its price suggests, and capacity is scarce.
   */
  public boolean isPreviousGeneration() {
    return PREVIOUS_GENERATION.contains(family());
  }

  private static final java.util.Set<String> PREVIOUS_GENERATION = java.util.Set.of(
      "m1", "m2", "m3", "m4", "t1", "c1", "c3", "c4", "cc2", "cr1", "r3", "r4", "x1", "x1e",
      "d2", "hs1", "i2", "g2", "g3", "g3s", "p2");

  /** The family prefix, e.g. {@code c5d} for {@code c5d.large}. */
  public String family() {
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  /**
   * The vCPU quota class AWS counts this type under, as named by Service Quotas: {@code standard}
   * (A, C, D, H, I, M, R, T, Z), {@code f}, {@code g} (G and VT), {@code inf}, {@code p}, {@code x},
   * {@code dl}, {@code trn}, {@code hpc}. See
   * https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html
   */
  public String quotaClass() {
    Matcher m = FAMILY.matcher(name.toLowerCase(Locale.ROOT));
    String letters = m.matches() ? m.group(1) : family();
    switch (letters) {
      case "f":
        return "f";
      case "g":
      case "vt":
        return "g";
      case "inf":
        return "inf";
      case "p":
        return "p";
      case "x":
      case "u":
        return "x";
      case "dl":
        return "dl";
      case "trn":
        return "trn";
      case "hpc":
        return "hpc";
      default:
        return "standard";
    }
  }
}
