package dev.aether.core.spi;

import java.util.List;

/**
 * What {@link Machines#startEach} did: the nodes it started and the instances whose pools could
 * not give one.
 */
public record StartReport(List<Node> started, List<Unavailable> unavailable) {
  public StartReport {
    started = List.copyOf(started);
    unavailable = List.copyOf(unavailable);
  }
}
