package dev.aether.core.pipeline.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.StartReport;
import dev.aether.core.spi.Unavailable;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Starting on what the pools can give, with the real bidder over real snapshot offers. */
class CapacityFallbackTest {
  private static final NodeBootstrap BOOT = new NodeBootstrap(URI.create("http://10.0.0.1:7070"),
      "t0ken", "demo");
  /** c5.large and m5.large in us-east-1, spot and on-demand, from the embedded snapshot. */
  private static final List<Offer> OFFERS = EmbeddedCatalog.load().inRegion("us-east-1")
      .offers().stream()
      .filter(o -> Set.of("c5.large", "m5.large").contains(o.type().name())).toList();

  private final List<String> notes = new CopyOnWriteArrayList<>();
  private final ReplacementPlanner planner = new ReplacementPlanner(new Bidder(),
      Requirements.of(1, 1, 1), OFFERS, Limits.NONE,
      new ExcludedPools(Duration.ofMinutes(30), System::currentTimeMillis));

  private static ProvisionedInstance spot(String type, String zone) {
    return new ProvisionedInstance(type, 2, type.startsWith("c5") ? 4 : 8, false, true,
        Optional.of(new BigDecimal("0.09")), Optional.of(zone), Optional.empty());
  }

  private CapacityFallback fallback(Machines machines) {
    return new CapacityFallback(machines, planner, OFFERS, 1, 1.0, notes::add);
  }

  @Test
  void aPoolWithoutCapacityIsLeftOutAndItsSlotsPlannedElsewhere() {
    Pools pools = new Pools(i -> i.type().equals("c5.large") && i.zone().orElse("")
        .equals("use1-az1") ? Optional.of(Unavailable.Reason.CAPACITY) : Optional.empty());

    List<Node> nodes = fallback(pools).start(List.of(spot("c5.large", "use1-az1"),
        spot("m5.large", "use1-az2")), BOOT);

    assertThat(nodes).hasSizeGreaterThanOrEqualTo(2);
    assertThat(nodes).extracting(n -> Pool.of(n.instance()))
        .doesNotContain(new Pool("c5.large", "use1-az1", Market.SPOT))
        .contains(new Pool("m5.large", "use1-az2", Market.SPOT));
    assertThat(notes.get(0)).contains("Could not start c5.large (spot, use1-az1): no room")
        .contains("left out the pool c5.large/use1-az1/spot");
    assertThat(notes.get(1)).startsWith("Planned 2 slot(s) again on:");
    // the re-plan never went back to the refused pool
    assertThat(pools.asked).filteredOn(i -> i.type().equals("c5.large")
        && i.zone().orElse("").equals("use1-az1")).hasSize(1);
  }

  @Test
  void aUsedUpQuotaLeavesOutEveryTypeOfThatQuotaOnThatMarket() {
    Pools pools = new Pools(i -> i.biddable() ? Optional.of(Unavailable.Reason.QUOTA)
        : Optional.empty());

    List<Node> nodes = fallback(pools).start(List.of(spot("c5.large", "use1-az1")), BOOT);

    assertThat(nodes).isNotEmpty().allSatisfy(n -> assertThat(n.instance().biddable()).isFalse());
    assertThat(notes.get(0)).contains("left out every standard spot type (same vCPU quota)");
    assertThat(pools.asked.stream().filter(ProvisionedInstance::biddable)).hasSize(1);
  }

  @Test
  void failsNamingEveryRefusalOnlyWhenNothingCouldStart() {
    Pools pools = new Pools(i -> Optional.of(Unavailable.Reason.CAPACITY));

    assertThatThrownBy(() -> fallback(pools).start(List.of(spot("c5.large", "use1-az1")), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("no machine of the plan could be started")
        .hasMessageContaining("no room for c5.large");
    assertThat(pools.started).isEmpty();
  }

  @Test
  void aHardFailureStopsWhatThisStartHadStarted() {
    Pools pools = new Pools(i -> i.type().equals("c5.large") ? Optional.of(
        Unavailable.Reason.CAPACITY) : Optional.empty());
    pools.failOnRound = 2;

    assertThatThrownBy(() -> fallback(pools).start(List.of(spot("c5.large", "use1-az1"),
        spot("m5.large", "use1-az2")), BOOT)).hasMessageContaining("AccessDenied");
    assertThat(pools.stopped).containsExactlyElementsOf(pools.started);
  }

  /** Machines whose pools refuse as the test says; every other start succeeds. */
  private static final class Pools implements Machines {
    private final Function<ProvisionedInstance, Optional<Unavailable.Reason>> refuse;
    final List<ProvisionedInstance> asked = new ArrayList<>();
    final List<String> started = new ArrayList<>();
    final List<String> stopped = new ArrayList<>();
    int failOnRound = Integer.MAX_VALUE;
    private int round;

    Pools(Function<ProvisionedInstance, Optional<Unavailable.Reason>> refuse) {
      this.refuse = refuse;
    }

    @Override
    public StartReport startEach(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      if (++round >= failOnRound) {
        throw new AetherException(AetherException.ERROR, "AccessDenied");
      }
      List<Node> nodes = new ArrayList<>();
      List<Unavailable> refused = new ArrayList<>();
      for (ProvisionedInstance i : instances) {
        asked.add(i);
        Optional<Unavailable.Reason> r = refuse.apply(i);
        if (r.isPresent()) {
          refused.add(new Unavailable(i, r.get(), "no room for " + i.type()));
        } else {
          String id = "i-" + (started.size() + 1);
          started.add(id);
          nodes.add(new Node(id, i, Optional.empty(), NodeState.PENDING));
        }
      }
      return new StartReport(nodes, refused);
    }

    @Override
    public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      throw new UnsupportedOperationException("the fallback starts each");
    }

    @Override
    public List<Node> list() {
      return List.of();
    }

    @Override
    public void stop(Node node) {
      stopped.add(node.id());
    }
  }
}
