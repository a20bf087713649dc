package dev.aether.providers.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps a fetched catalog on disk for a day, one JSON file per region and look-back window: reading
 * weeks of spot history takes many calls, and prices that are a few hours old are good enough to
 * bid with (the bid is capped by the historical maximum anyway).
 */
final class CatalogCache {
  static final Duration TTL = Duration.ofDays(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The file's shape; kept apart from the domain records so they can change freely. */
  record Entry(String source, long fetchedAtEpochSecond, List<Row> offers) {
    Instant fetchedAt() {
      return Instant.ofEpochSecond(fetchedAtEpochSecond);
    }
  }

  record Row(
      String type, int vcpus, double memoryGib, double storageGb, String arch, String region,
      String zone, String market, BigDecimal price, BigDecimal riskPrice, Boolean burstable,
      Boolean accelerated, Boolean previousGeneration, String quotaClass,
      Double interruptionRate) {}

  private final Path dir;
  private final Clock clock;

  CatalogCache(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  Path file(String region, int weeks) {
    return dir.resolve("aws-" + region + "-" + weeks + "w.json");
  }

  /** The cached catalog, if there is one younger than a day that we can read. */
  Optional<Catalog> read(String region, int weeks) {
    Path file = file(region, weeks);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Entry entry = JSON.readValue(file.toFile(), Entry.class);
      if (entry.fetchedAt().plus(TTL).isBefore(clock.instant())
          || entry.fetchedAt().isAfter(clock.instant().plus(Duration.ofMinutes(5)))) {
        return Optional.empty();
      }
      if (entry.offers().stream().anyMatch(r -> r.quotaClass() == null)) {
        return Optional.empty(); // written before types carried their facts: refetch
      }
      return Optional.of(new Catalog(entry.source(), entry.offers().stream().map(CatalogCache::offer).toList()));
    } catch (IOException | RuntimeException e) {
      // a damaged or old-format cache is refetched, not fatal
      return Optional.empty();
    }
  }

  void write(String region, int weeks, Catalog catalog) {
    Entry entry = new Entry(catalog.source(), clock.instant().getEpochSecond(), catalog.offers().stream().map(CatalogCache::row).toList());
    Path file = file(region, weeks);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      JSON.writeValue(tmp.toFile(), entry);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // the cache only saves time; a run goes on without it
    }
  }

  private static Row row(Offer o) {
    InstanceType t = o.type();
    return new Row(t.name(), t.vcpus(), t.memoryGib(), t.storageGb(), t.arch(), o.region(), o.zone(),
        o.market().name(), o.price(), o.riskPrice(), t.burstable(), t.accelerated(),
        t.previousGeneration(), t.quotaClass(),
        o.interruptionRate().isPresent() ? o.interruptionRate().getAsDouble() : null);
  }

  private static Offer offer(Row r) {
    InstanceType type = new InstanceType(r.type(), r.vcpus(), r.memoryGib(), r.storageGb(),
        r.arch(), Boolean.TRUE.equals(r.burstable()), Boolean.TRUE.equals(r.accelerated()),
        Boolean.TRUE.equals(r.previousGeneration()), r.quotaClass());
    return new Offer(type, r.region(), r.zone(), Market.valueOf(r.market()), r.price(),
        r.riskPrice(), r.interruptionRate() == null ? java.util.OptionalDouble.empty()
            : java.util.OptionalDouble.of(r.interruptionRate()));
  }
}
