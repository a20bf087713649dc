package dev.aether.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeSizeTest {
  @ParameterizedTest(name = "{0} cores {1} GB, slots={2}, P={3} M={4} -> {5} cores {6} GB")
  @CsvSource({
    // cores, GB, cap, P, M,  -> cores, GB, slots
    "16, 64,  2, 4, 8,      8, 16, 2",
    "16, 64,  4, 4, 8,     16, 64, 4",  // the cap is what fits anyway: the whole node
    "16, 64, 10, 4, 8,     16, 64, 4",  // a cap above what fits changes nothing
    "16, 16,  1, 2, 4,      2,  4, 1",
    " 2,  1,  1, 4, 8,      2,  1, 1"}) // smaller than one job: one job, the whole node
  void aCapOfNJobsLeavesNJobsWorth(int cores, double gb, int cap, int p, double m,
      int wantCores, double wantGb, int wantSlots) {
    NodeSize capped = new NodeSize(cores, gb).cappedAt(cap, p, m);
    assertThat(capped).isEqualTo(new NodeSize(wantCores, wantGb));
    assertThat(Slots.forNode(capped.cores(), capped.memoryGb(), p, m)).isEqualTo(wantSlots);
  }
}
