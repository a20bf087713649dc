package dev.aether.core.plan;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One instance to start: one line of prov.psv ({@code TYPE|PROCESSORS|RAM|STORAGE|BIDDABLE|BID|ZONE}).
 *
 * @param type instance type name
 * @param processors vCPUs
 * @param ramGb memory in GB
 * @param hasStorage the type has local instance storage
 * @param biddable true = bid for it as spot; false = buy on-demand
 * @param bid the spot bid in $/hour, when known
 * @param zone the zone to start it in, when chosen
 * @param provider the 2017 files' provider column ({@code aws}, {@code azure}), when present
 */
public record ProvisionedInstance(
    String type,
    int processors,
    double ramGb,
    boolean hasStorage,
    boolean biddable,
    Optional<BigDecimal> bid,
    Optional<String> zone,
    Optional<String> provider) {

  public ProvisionedInstance {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("instance type is empty");
    }
    if (processors <= 0) {
      throw new IllegalArgumentException("PROCESSORS must be > 0, got " + processors);
    }
    if (!(ramGb > 0)) {
      throw new IllegalArgumentException("RAM must be > 0, got " + ramGb);
    }
  }
}
