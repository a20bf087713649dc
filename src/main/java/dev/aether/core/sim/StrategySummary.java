package dev.aether.core.sim;

import java.util.List;

/**
 * A strategy's runs, summed up.
 *
 * @param strategy its name
 * @param plan the first plan in words, e.g. {@code 4 x m5.16xlarge spot use1-az1}
 * @param planPerHour the first plan's $/hour
 * @param runs how many runs
 * @param unfinished runs that ran out of capacity (their figures are in the distributions, at
 *     the moment they stopped)
 */
public record StrategySummary(String strategy, String plan, double planPerHour, int runs,
    int unfinished, Distribution cost, Distribution hours, Distribution interruptions,
    Distribution lostHours, Distribution jobsRerun) {

  static StrategySummary of(Strategy s, String plan, List<RunResult> results) {
    return new StrategySummary(s.name(), plan, s.plan().hourlyCost().doubleValue(),
        results.size(), (int) results.stream().filter(r -> !r.finished()).count(),
        Distribution.of(results.stream().mapToDouble(RunResult::cost).toArray()),
        Distribution.of(results.stream().mapToDouble(RunResult::hours).toArray()),
        Distribution.of(results.stream().mapToDouble(RunResult::interruptions).toArray()),
        Distribution.of(results.stream().mapToDouble(RunResult::lostHours).toArray()),
        Distribution.of(results.stream().mapToDouble(RunResult::jobsRerun).toArray()));
  }
}
