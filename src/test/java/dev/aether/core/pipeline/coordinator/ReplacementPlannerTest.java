package dev.aether.core.pipeline.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.LostCapacity;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.NodeBootstrap;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplacementPlannerTest {
  private static final InstanceType C5 = new InstanceType("c5.large", 2, 4, 0, "x86_64");
  private static final InstanceType M5 = new InstanceType("m5.large", 2, 8, 0, "x86_64");
  private static final Offer C5_1A = spot(C5, "us-east-1a", "0.030", "0.050");
  private static final Offer C5_1B = spot(C5, "us-east-1b", "0.036", "0.060");
  private static final Offer M5_1A = spot(M5, "us-east-1a", "0.040", "0.070");
  private static final Offer C5_OD = new Offer(C5, "us-east-1", "us-east-1a", Market.ON_DEMAND,
      new BigDecimal("0.085"), null);
  private static final List<Offer> OFFERS = List.of(C5_1A, C5_1B, M5_1A, C5_OD);
  private static final Pool C5_1A_SPOT = new Pool("c5.large", "us-east-1a", Market.SPOT);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final ExcludedPools excluded = new ExcludedPools(Duration.ofMinutes(30), clock::get);
  private final ReplacementPlanner planner = new ReplacementPlanner(new Bidder(),
      Requirements.of(1, 2, 1), OFFERS, Limits.NONE, excluded);

  private static Offer spot(InstanceType t, String zone, String price, String risk) {
    return new Offer(t, "us-east-1", zone, Market.SPOT, new BigDecimal(price),
        new BigDecimal(risk));
  }

  private static int slots(List<ProvisionedInstance> plan) {
    return plan.stream().mapToInt(i -> Requirements.of(1, 2, 1).slotsOn(i.processors(), i.ramGb()))
        .sum();
  }

  @Test
  void withNothingExcludedTakesTheCheapestPool() {
    List<ProvisionedInstance> plan = planner.plan(4);
    assertThat(plan).extracting(Pool::of).containsOnly(C5_1A_SPOT);
    assertThat(slots(plan)).isGreaterThanOrEqualTo(4);
  }

  @Test
  void leavesTheInterruptedPoolOutAndStillCoversTheSlots() {
    excluded.exclude(C5_1A_SPOT);

    List<ProvisionedInstance> plan = planner.plan(4);

    assertThat(plan).isNotEmpty();
    assertThat(plan).extracting(Pool::of).doesNotContain(C5_1A_SPOT);
    assertThat(slots(plan)).isGreaterThanOrEqualTo(4);
    // the next cheapest pool: the same type in the other zone, at its bid
    assertThat(plan).extracting(Pool::of)
        .containsOnly(new Pool("c5.large", "us-east-1b", Market.SPOT));
    assertThat(plan.get(0).bid()).contains(new BigDecimal("0.060"));
  }

  @Test
  void thePoolComesBackAfterTheWindow() {
    excluded.exclude(C5_1A_SPOT);
    clock.addAndGet(Duration.ofMinutes(30).toMillis() - 1);
    assertThat(planner.plan(2)).extracting(Pool::of).doesNotContain(C5_1A_SPOT);
    clock.addAndGet(1);
    assertThat(planner.plan(2)).extracting(Pool::of).containsOnly(C5_1A_SPOT);
  }

  @Test
  void aPoolWithoutZoneLeavesTheTypeOutInEveryZoneOfThatMarket() {
    excluded.exclude(new Pool("c5.large", "", Market.SPOT));
    assertThat(planner.plan(2)).extracting(Pool::of)
        .containsOnly(new Pool("m5.large", "us-east-1a", Market.SPOT));
  }

  @Test
  void nothingLeftIsInfeasible() {
    for (Offer o : OFFERS) {
      excluded.exclude(new Pool(o.type().name(), o.zone(), o.market()));
    }
    assertThatThrownBy(() -> planner.plan(2)).isInstanceOf(InfeasibleException.class);
  }

  @Test
  void theReplacerStartsAPlanOutsideTheNodesPoolAndStopsItWhenClosed() {
    ProvisionedInstance interrupted = new ProvisionedInstance("c5.large", 2, 4, false, true,
        Optional.of(new BigDecimal("0.05")), Optional.of("us-east-1a"), Optional.empty());
    FakeMachines machines = new FakeMachines(new Node("i-1", interrupted, Optional.empty(), NodeState.RUNNING));
    BiddingCapacityReplacer replacer = new BiddingCapacityReplacer(machines,
        new NodeBootstrap(URI.create("http://10.0.0.5:7070"), "t", "demo"), planner);

    replacer.replace(new LostCapacity("i-1", 2));

    assertThat(machines.started).isNotEmpty();
    assertThat(machines.started).extracting(Pool::of).doesNotContain(C5_1A_SPOT);
    assertThat(slots(machines.started)).isGreaterThanOrEqualTo(2);
    replacer.close();
    assertThat(machines.stopped).extracting(Node::id)
        .containsExactlyElementsOf(replacer.started().stream().map(Node::id).toList());
  }

  @Test
  void aNodeThatHasShutItselfDownIsFoundByIdAndItsPoolLeftOut() {
    // the interrupted node handed its jobs back and shut down: no longer listed
    ProvisionedInstance interrupted = new ProvisionedInstance("c5.large", 2, 4, false, true,
        Optional.of(new BigDecimal("0.05")), Optional.of("us-east-1a"), Optional.empty());
    Node gone = new Node("i-1", interrupted, Optional.empty(), NodeState.GONE);
    FakeMachines machines = new FakeMachines();
    machines.gone = List.of(gone);
    BiddingCapacityReplacer replacer = new BiddingCapacityReplacer(machines,
        new NodeBootstrap(URI.create("http://10.0.0.5:7070"), "t", "demo"), planner);

    replacer.replace(new LostCapacity("i-1", 2));

    assertThat(machines.started).isNotEmpty();
    assertThat(machines.started).extracting(Pool::of).doesNotContain(C5_1A_SPOT);
  }

  @Test
  void aFailedStartIsLoggedNotThrown() {
    FakeMachines machines = new FakeMachines();
    machines.fail = true;
    BiddingCapacityReplacer replacer = new BiddingCapacityReplacer(machines,
        new NodeBootstrap(URI.create("http://10.0.0.5:7070"), "t", "demo"), planner);

    replacer.replace(new LostCapacity("i-gone", 2));

    assertThat(replacer.started()).isEmpty();
  }

  private static final class FakeMachines implements Machines {
    final List<Node> listed;
    /** Nodes that have ended: not listed, but still found by id, as EC2 shows them for an hour. */
    List<Node> gone = List.of();
    final List<ProvisionedInstance> started = new ArrayList<>();
    final List<Node> stopped = new ArrayList<>();
    boolean fail;

    FakeMachines(Node... listed) {
      this.listed = List.of(listed);
    }

    @Override
    public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      if (fail) {
        throw new AetherException(AetherException.ERROR, "no capacity");
      }
      started.addAll(instances);
      List<Node> nodes = new ArrayList<>();
      for (ProvisionedInstance i : instances) {
        nodes.add(new Node("i-new" + nodes.size(), i, Optional.empty(), NodeState.RUNNING));
      }
      return nodes;
    }

    @Override
    public List<Node> list() {
      return listed;
    }

    @Override
    public Optional<Node> find(String id) {
      return java.util.stream.Stream.concat(listed.stream(), gone.stream())
          .filter(n -> n.id().equals(id)).findFirst();
    }

    @Override
    public void stop(Node node) {
      stopped.add(node);
    }
  }
}
