package dev.aether.core.pipeline.coordinator;

import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.LostCapacity;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces an interrupted node on any provider that sells interruptible capacity: finds the pool
 * the node was bought from, leaves that pool out for a while, asks the {@link ReplacementPlanner}
 * for the lost slots and starts the plan through {@link Machines#start}. What it starts it stops
 * when closed (the launcher stops only the nodes it started itself).
 *
 * <p>The node is looked up by its id ({@link Machines#find}), so on a cloud a node must register
 * under its machine id (on AWS, the instance id). The lookup must find nodes that are gone: an
 * interrupted node shuts itself down as soon as it has handed its jobs back, often before this
 * runs, and is then no longer in {@link Machines#list()}. Not finding it, the pool would not be
 * left out and the replacement could be bought in the very pool just interrupted.
 */
public final class BiddingCapacityReplacer implements CapacityReplacer {
  private static final Logger log = LoggerFactory.getLogger(BiddingCapacityReplacer.class);

  private final Machines machines;
  private final NodeBootstrap bootstrap;
  private final ReplacementPlanner planner;
  private final List<Node> started = new ArrayList<>();

  public BiddingCapacityReplacer(Machines machines, NodeBootstrap bootstrap,
      ReplacementPlanner planner) {
    this.machines = machines;
    this.bootstrap = bootstrap;
    this.planner = planner;
  }

  @Override
  public void replace(LostCapacity lost) {
    try {
      if (lost.onDemand()) {
        // jobs spot capacity lost too often: on-demand, and the pool was left out already
        List<Node> nodes = machines.start(planner.planOnDemand(lost.slots()), bootstrap);
        synchronized (started) {
          started.addAll(nodes);
        }
        log.info("started {} on-demand node(s) for {} job(s) interrupted too often",
            nodes.size(), lost.slots());
        return;
      }
      Optional<Node> node = machines.find(lost.node());
      if (node.isPresent()) {
        Pool pool = Pool.of(node.get().instance());
        planner.excluded().exclude(pool);
        log.info("node {} was bought in pool {}: left out of replacements for a while",
            lost.node(), pool);
      } else {
        log.warn("node {} is not among the project's machines; its pool cannot be left out",
            lost.node());
      }
      List<ProvisionedInstance> plan = planner.plan(lost.slots());
      List<Node> nodes = machines.start(plan, bootstrap);
      synchronized (started) {
        started.addAll(nodes);
      }
      log.info("started {} node(s) for the {} slot(s) of node {}", nodes.size(), lost.slots(),
          lost.node());
    } catch (AetherException e) {
      // The jobs are PENDING for the nodes that remain: the batch goes on, only slower.
      log.warn("could not replace node {}: {}", lost.node(), e.getMessage());
    }
  }

  /** The nodes this replacer has started so far. */
  public List<Node> started() {
    synchronized (started) {
      return List.copyOf(started);
    }
  }

  @Override
  public void close() {
    for (Node n : started()) {
      try {
        machines.stop(n);
      } catch (RuntimeException e) {
        log.warn("could not stop replacement node {}: {}", n.id(), e.getMessage());
      }
    }
  }
}
