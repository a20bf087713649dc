package dev.aether.core.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Offers for instance types, as read from a catalog file, the embedded snapshot or a provider.
 *
 * @param source where the prices came from, shown in plan reports (e.g. "embedded snapshot")
 * @param offers every offer, in a stable order
 */
public record Catalog(String source, List<Offer> offers) {
  public Catalog {
    // A list already in order (a filter of a catalog) is kept as it is; checking costs no string.
    boolean sorted = true;
    for (int i = 1; i < offers.size() && sorted; i++) {
      sorted = Offer.compareKeys(offers.get(i - 1), offers.get(i)) <= 0;
    }
    if (sorted) {
      offers = List.copyOf(offers);
    } else {
      // stable, as the stream sort before it: equal keys keep their order
      List<Offer> in = new java.util.ArrayList<>(offers);
      in.sort(Offer::compareKeys);
      offers = List.copyOf(in);
    }
  }

  public Set<String> regions() {
    return offers.stream().map(Offer::region).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The offers of one region. */
  public Catalog inRegion(String region) {
    return new Catalog(
        source, offers.stream().filter(o -> o.region().equals(region)).toList());
  }

  /** The vCPU quota classes of the offers' types, as the provider named them. */
  public Set<String> quotaClasses() {
    return offers.stream().map(o -> o.type().quotaClass())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The offers whose type is not burstable (see {@link InstanceType#burstable()}). */
  public Catalog withoutBurstable() {
    return new Catalog(source, offers.stream().filter(o -> !o.type().isBurstable()).toList());
  }

  /** The offers of current-generation types (see {@link InstanceType#previousGeneration()}). */
  public Catalog withoutPreviousGeneration() {
    return new Catalog(source,
        offers.stream().filter(o -> !o.type().isPreviousGeneration()).toList());
  }

  /** The offers whose type has no accelerator (see {@link InstanceType#accelerated()}). */
  public Catalog withoutAccelerators() {
    return new Catalog(source, offers.stream().filter(o -> !o.type().isAccelerated()).toList());
  }

  /** The offers whose type has this architecture ({@code any} keeps all). */
  public Catalog withArch(String arch) {
    if ("any".equalsIgnoreCase(arch)) {
      return this;
    }
    return new Catalog(
        source, offers.stream().filter(o -> o.type().arch().equalsIgnoreCase(arch)).toList());
  }
}
