package dev.aether.providers.aws;

import dev.aether.core.catalog.Catalog;
import java.util.Set;

/**
 * Instance types the Amazon Linux 2023 image that nodes run cannot boot: the first-generation
 * Graviton a1 family ("AL2023 is not supported on A1 instances",
 * https://docs.aws.amazon.com/linux/al2023/ug/system-requirements.html). The bidder never plans
 * them on AWS and a plan that names one is refused before anything starts.
 */
final class UnbootableTypes {
  static final String WHY = "Amazon Linux 2023 does not support the a1 family";
  private static final Set<String> FAMILIES = Set.of("a1");

  private UnbootableTypes() {}

  static boolean bootable(String type) {
    int dot = type.indexOf('.');
    return !FAMILIES.contains(dot < 0 ? type : type.substring(0, dot));
  }

  /** The catalog without the offers nodes cannot boot. */
  static Catalog without(Catalog catalog) {
    return new Catalog(catalog.source(), catalog.offers().stream()
        .filter(o -> bootable(o.type().name())).toList());
  }
}
