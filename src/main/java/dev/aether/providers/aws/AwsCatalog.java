package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.InterruptionBands;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.pricing.PricingClient;

/**
 * The live price catalog of one region: instance types from EC2, spot prices from the spot price
 * history, on-demand prices from the Price List API; cached on disk for a day.
 *
 * <p>Offers: one on-demand offer per type (zone left to AWS; price = risk = on-demand), and one spot
 * offer per type and zone with history (price = latest spot price; risk = min(highest spot price in
 * the window, on-demand), since we never bid above on-demand; interruption rate from the Spot
 * Instance Advisor's band for the type and region, see {@link SpotAdvisorReader} and {@link
 * InterruptionBands}).
 */
public final class AwsCatalog {
  private final AwsClients clients;
  private final CatalogCache cache;
  private final Clock clock;

  public AwsCatalog(AwsClients clients, Path cacheDir, Clock clock) {
    this.clients = clients;
    this.cache = new CatalogCache(cacheDir, clock);
    this.clock = clock;
  }

  /** The region's catalog with {@code weeks} of spot history, from the cache when it is fresh. */
  public Catalog load(int weeks) {
    if (weeks < 1) {
      throw AetherException.invalidInput("spot history look-back must be >= 1 week, got " + weeks);
    }
    String region = clients.region();
    var cached = cache.read(region, weeks);
    if (cached.isPresent()) {
      return cached.get();
    }
    Catalog fresh = fetch(weeks);
    cache.write(region, weeks, fresh);
    return fresh;
  }

  private Catalog fetch(int weeks) {
    String region = clients.region();
    try (Ec2Client ec2 = clients.ec2(); PricingClient pricing = clients.pricing()) {
      Map<String, InstanceType> types = new InstanceTypesReader(ec2).read();
      Map<SpotPriceHistoryReader.Key, SpotPriceHistoryReader.Stats> spot =
          new SpotPriceHistoryReader(ec2, clock).read(weeks);
      Map<String, BigDecimal> onDemand = new OnDemandPriceReader(pricing).read(region);
      Optional<Map<String, Integer>> bands = SpotAdvisorReader.forClients(clients).read(region);
      String source = "AWS " + region + " (fetched " + LocalDate.now(clock.withZone(ZoneOffset.UTC))
          + ", " + weeks + " weeks of spot history"
          + (bands.isPresent() ? "" : "; Spot Advisor not reachable: interruption rates unknown")
          + ")";
      return new Catalog(source, offers(region, types, spot, onDemand, bands.orElse(Map.of())));
    } catch (SdkException e) {
      throw AwsErrors.translate("reading the AWS price catalog for " + region, e);
    }
  }

  static List<Offer> offers(
      String region, Map<String, InstanceType> types,
      Map<SpotPriceHistoryReader.Key, SpotPriceHistoryReader.Stats> spot,
      Map<String, BigDecimal> onDemand) {
    return offers(region, types, spot, onDemand, Map.of());
  }

  static List<Offer> offers(
      String region, Map<String, InstanceType> types,
      Map<SpotPriceHistoryReader.Key, SpotPriceHistoryReader.Stats> spot,
      Map<String, BigDecimal> onDemand, Map<String, Integer> bands) {
    List<Offer> offers = new ArrayList<>();
    onDemand.forEach(
        (name, price) -> {
          InstanceType type = types.get(name);
          if (type != null) {
            offers.add(new Offer(type, region, "", Market.ON_DEMAND, price, price));
          }
        });
    spot.forEach(
        (key, stats) -> {
          InstanceType type = types.get(key.type());
          if (type == null) {
            return;
          }
          BigDecimal od = onDemand.get(key.type());
          BigDecimal risk = od == null ? stats.max() : stats.max().min(od);
          Integer band = bands.get(key.type());
          offers.add(new Offer(type, region, key.zone(), Market.SPOT, stats.current(), risk,
              band == null ? OptionalDouble.empty()
                  : OptionalDouble.of(InterruptionBands.hourlyRate(band))));
        });
    return offers;
  }
}
