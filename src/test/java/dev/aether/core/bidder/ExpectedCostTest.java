package dev.aether.core.bidder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.InterruptionBands;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExpectedCostTest {
  private static final InstanceType C5 = new InstanceType("c5.large", 2, 4, 0, "x86_64");

  /**
   * The formula against the process it models: a job of H hours on an instance interrupted at
   * random with probability r in every hour (here in steps of a hundredth of an hour), restarted
   * from scratch after each interruption.
   */
  @ParameterizedTest(name = "r = {0}, H = {1}")
  @CsvSource({"0.02, 3", "0.05, 10", "0.1, 4", "0.01, 40"})
  void inflationMatchesASimulationOfRestartedJobs(double r, double hours) {
    Random rnd = new Random(42);
    int stepsPerHour = 100;
    double pStep = 1 - Math.pow(1 - r, 1.0 / stepsPerHour);
    int jobSteps = (int) Math.round(hours * stepsPerHour);
    long total = 0;
    int runs = 20_000;
    for (int i = 0; i < runs; i++) {
      int done = 0;
      while (done < jobSteps) {
        total++;
        done = rnd.nextDouble() < pStep ? 0 : done + 1;
      }
    }
    double simulated = total / (double) runs / stepsPerHour / hours;

    assertThat(ExpectedCost.inflation(r, hours)).isCloseTo(simulated, within(0.02 * simulated));
  }

  @Test
  void onDemandAndAnUninterruptedPoolCostTheirPrice() {
    Offer onDemand = new Offer(C5, "r", "z", Market.ON_DEMAND, new BigDecimal("0.085"), null);
    Offer calm = new Offer(C5, "r", "z", Market.SPOT, new BigDecimal("0.035"), null,
        OptionalDouble.of(0));

    assertThat(ExpectedCost.hourly(onDemand, 5)).isEqualByComparingTo("0.085");
    assertThat(ExpectedCost.hourly(calm, 5)).isEqualByComparingTo("0.035");
  }

  @Test
  void aPoolNobodyRatedCountsAsTheWorstBand() {
    Offer unrated = new Offer(C5, "r", "z", Market.SPOT, new BigDecimal("1"), null);
    Offer worst = new Offer(C5, "r", "z", Market.SPOT, new BigDecimal("1"), null,
        OptionalDouble.of(InterruptionBands.hourlyRate(4)));

    assertThat(ExpectedCost.hourly(unrated, 24)).isEqualByComparingTo(ExpectedCost.hourly(worst, 24))
        .isGreaterThan(BigDecimal.ONE);
  }
}
