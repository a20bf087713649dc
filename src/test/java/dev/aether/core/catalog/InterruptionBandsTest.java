package dev.aether.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterruptionBandsTest {
  @ParameterizedTest(name = "band {0}: {1} a month")
  @CsvSource({"0, 0.025, <5%", "1, 0.075, 5-10%", "2, 0.125, 10-15%", "3, 0.175, 15-20%",
      "4, 0.25, >20%"})
  void aBandsHourlyRateGivesItsMonthlyMiddleOver720Hours(int band, double monthly, String label) {
    double r = InterruptionBands.hourlyRate(band);

    assertThat(1 - Math.pow(1 - r, 720)).isCloseTo(monthly, within(1e-12));
    assertThat(InterruptionBands.bandOf(r)).isEqualTo(band);
    assertThat(InterruptionBands.labelOf(r)).isEqualTo(label);
  }

  @Test
  void ratesBetweenTheBandsFallInTheBandOfTheirMonth() {
    assertThat(InterruptionBands.bandOf(0)).isZero();
    assertThat(InterruptionBands.bandOf(InterruptionBands.hourlyRateOfMonthly(0.0499))).isZero();
    assertThat(InterruptionBands.bandOf(InterruptionBands.hourlyRateOfMonthly(0.05))).isEqualTo(1);
    assertThat(InterruptionBands.bandOf(InterruptionBands.hourlyRateOfMonthly(0.9))).isEqualTo(4);
  }

  @Test
  void refusesBandsTheAdvisorDoesNotHave() {
    assertThatThrownBy(() -> InterruptionBands.hourlyRate(5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
