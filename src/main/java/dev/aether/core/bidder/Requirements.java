package dev.aether.core.bidder;

import dev.aether.core.plan.Slots;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * @param jobs jobs in the batch (J); they run in waves of {@code slots}: W = ceil(J / S)
 * @param hoursPerJob expected hours one job runs (H); the expected objective and the budget need
 *     it. Without it the expected objective prices a job of one hour.
 * @param budget optional cap on the batch's expected total, USD: W x H x sum of the offers'
 *     expected $/hour (see {@link ExpectedCost}); needs {@code hoursPerJob}
 * @param maxPoolShare the most of the slots asked for that one spot pool (type and zone) may
 *     hold, in (0, 1]; 1 = no bound. Below 1, the slots of one spot pool are at most
 *     ceil(share x S).
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
    BigDecimal riskStep,
    int jobs,
    Optional<Double> hoursPerJob,
    Optional<BigDecimal> budget,
    BigDecimal maxPoolShare) {

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
    if (jobs <= 0) {
      throw new IllegalArgumentException("jobs must be > 0, got " + jobs);
    }
    hoursPerJob = hoursPerJob == null ? Optional.empty() : hoursPerJob;
    hoursPerJob.ifPresent(h -> {
      if (!(h > 0) || h.isInfinite()) {
        throw new IllegalArgumentException("hours per job must be > 0, got " + h);
      }
    });
    budget = budget == null ? Optional.empty() : budget;
    budget.ifPresent(b -> {
      if (b.signum() <= 0) {
        throw new IllegalArgumentException("budget must be > 0 dollars, got " + b);
      }
    });
    if (budget.isPresent() && hoursPerJob.isEmpty()) {
      throw new IllegalArgumentException("a budget needs the hours per job");
    }
    if (maxPoolShare == null || maxPoolShare.signum() <= 0
        || maxPoolShare.compareTo(BigDecimal.ONE) > 0) {
      throw new IllegalArgumentException("max pool share must be in (0, 1], got " + maxPoolShare);
    }
  }

  /**
   * The seed's requirements: one wave of {@code slots} jobs, no hours, no budget, no bound on the
   * share of one spot pool.
   */
  public Requirements(int processorsPerJob, double memoryGbPerJob, int slots,
      Optional<Integer> minCores, Optional<Double> minRamGb, Optional<Integer> minStorageGb,
      Optional<BigDecimal> maxCostPerHour, Objective objective, BigDecimal riskStep) {
    this(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb, minStorageGb,
        maxCostPerHour, objective, riskStep, slots, Optional.empty(), Optional.empty(),
        BigDecimal.ONE);
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
        minStorageGb, maxCostPerHour, objective, riskStep, jobs, hoursPerJob, budget,
        maxPoolShare);
  }

  /** The same requirements for another number of jobs at once (the batch stays the same). */
  public Requirements withSlots(int slots) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep, jobs, hoursPerJob, budget,
        maxPoolShare);
  }

  /** The same requirements with another objective. */
  public Requirements withObjective(Objective objective) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep, jobs, hoursPerJob, budget,
        maxPoolShare);
  }

  /** The same requirements for a batch of {@code jobs} jobs of {@code hours} each, and a budget. */
  public Requirements withBatch(int jobs, Optional<Double> hours, Optional<BigDecimal> budget) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep, jobs, hours, budget, maxPoolShare);
  }

  /** The same requirements with another bound on the share of one spot pool (1 = none). */
  public Requirements withMaxPoolShare(BigDecimal share) {
    return new Requirements(processorsPerJob, memoryGbPerJob, slots, minCores, minRamGb,
        minStorageGb, maxCostPerHour, objective, riskStep, jobs, hoursPerJob, budget, share);
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

  /** Waves the batch runs in at {@code slots} jobs at once: ceil(J / S). */
  public long waves() {
    return wavesAt(slots);
  }

  /** Waves the batch runs in at this many jobs at once: ceil(J / slots), at least 1. */
  public long wavesAt(int slotsAtOnce) {
    return Math.max(1, -Math.floorDiv(-(long) jobs, Math.max(1, slotsAtOnce)));
  }

  /** The hours one job runs, as the expected objective uses them (1 when not given). */
  public double effectiveHours() {
    return hoursPerJob.orElse(1.0);
  }

  /** The most slots one spot pool may hold, ceil(share x S); empty when the share is 1. */
  public Optional<Integer> poolSlotCap() {
    if (maxPoolShare.compareTo(BigDecimal.ONE) >= 0) {
      return Optional.empty();
    }
    return Optional.of(maxPoolShare.multiply(BigDecimal.valueOf(slots))
        .setScale(0, RoundingMode.CEILING).intValueExact());
  }
}
