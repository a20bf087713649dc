package dev.aether.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotsTest {
  @ParameterizedTest
  @CsvSource({
      // cores, memGb, P, M, slots
      "8, 32, 1, 1, 8",
      "8, 32, 2, 1, 4",
      "8, 6, 1, 2, 3",
      "2, 3.75, 1, 1.875, 2",
      "1, 1, 4, 8, 1",
      "36, 60, 4, 7.5, 8"})
  void slotsAreTheSmallerOfCoresAndMemoryOverOneJobAndAtLeastOne(int cores, double mem, int p,
      double m, int slots) {
    assertThat(Slots.forNode(cores, mem, p, m)).isEqualTo(slots);
  }

  @ParameterizedTest
  @CsvSource({"1, 0.9", "2, 0.45", "3, 0.3", "4, 0.225", "7, 0.1285"})
  void memFracIsNinetyPercentSharedAmongSlots(int slots, String memFrac) {
    assertThat(Slots.memFrac(slots)).isEqualTo(memFrac);
  }
}
