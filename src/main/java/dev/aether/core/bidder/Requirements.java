package dev.aether.core.bidder;

import dev.aether.core.plan.Slots;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * What the batch needs from the machines.
 *
 * @param processorsPerJob cores one job uses (-P)
 * @param memoryGbPerJob GB one job uses (-M)
 * @param slots jobs to run at once (S in the integer program)
 * @param minCores seed's optional minimum total cores
 * @param minRamGb seed's optional minimum total RAM (GB)
 * @param minStorageGb seed's optional minimum total instance storage (GB)
 * @param maxCostPerHour optional cap on the worst-case $/hour
 * @param objective what to minimise
 * @param riskStep B* is rounded up to a multiple of this ($/hour; 0 = exact)
 */
public record Requirements(
    int processorsPerJob,
    double memoryGbPerJob,
    int slots,
    Optional<Integer> minCores,
    Optional<Double> minRamGb,
    Optional<Integer> minStorageGb,
    Optional<BigDecimal> maxCostPerHour,
    Objective objective,
    BigDecimal riskStep) {

  public Requirements {
    if (processorsPerJob <= 0) {
      throw new IllegalArgumentException("processors per job must be > 0, got " + processorsPerJob);
    }
    if (!(memoryGbPerJob > 0)) {
      throw new IllegalArgumentException("memory per job must be > 0 GB, got " + memoryGbPerJob);
    }
    if (slots <= 0) {
      throw new IllegalArgumentException("slots must be > 0, got " + slots);
    }
    Objects.requireNonNull(objective, "objective");
    if (riskStep == null || riskStep.signum() < 0) {
      throw new IllegalArgumentException("risk step must be >= 0, got " + riskStep);
    }
  }

  /** Just slots of P cores and M GB, seed objective, default risk step of one dollar. */
  public static Requirements of(int processorsPerJob, double memoryGbPerJob, int slots) {
    return new Requirements(
        processorsPerJob, memoryGbPerJob, slots, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Objective.SEED, BigDecimal.ONE);
  }

  /** The same requirements, bid with this objective, risk step and max $/hour. */
  public Requirements withBid(Objective objective, BigDecimal riskStep,
      Optional<BigDecimal> maxCostPerHour) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep);
  }

  /** The same requirements for another number of jobs at once. */
  public Requirements withSlots(int slots) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep);
  }

  /** Slots an instance of this shape offers: min(floor(cores / P), floor(RAM / M)). */
  public int slotsOn(int vcpus, double memoryGib) {
    return Slots.fit(vcpus, memoryGib, processorsPerJob, memoryGbPerJob);
  }

  /**
   * What replacing {@code slots} lost slots asks: the same P, M, objective, risk step and max
   * $/hour, without the batch's minimum cores, RAM and storage (they held for the whole plan).
   */
  public Requirements forReplacement(int slots) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, Optional.empty(),
        Optional.empty(), Optional.empty(), maxCostPerHour, objective, riskStep);
  }
}
