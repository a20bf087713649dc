package dev.aether.providers.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads the Spot Instance Advisor's interruption bands (0..4: {@code <5%} to {@code >20%} a
 * month) for Linux types in one region, from the public feed the advisor page itself reads
 * (https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json: {@code
 * spot_advisor.<region>.Linux.<type>.r}). No credentials; a feed that cannot be read leaves the
 * rates unknown (the bidder then assumes the worst band) rather than stopping the bid.
 */
final class SpotAdvisorReader {
  static final URI FEED = URI.create("https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI feed;

  SpotAdvisorReader(URI feed) {
    this.feed = feed;
  }

  /** The feed for these clients: AWS's, or the stand-in endpoint's {@code /spot-advisor-data.json}. */
  static SpotAdvisorReader forClients(AwsClients clients) {
    return new SpotAdvisorReader(clients.endpoint()
        .map(e -> e.resolve("/spot-advisor-data.json")).orElse(FEED));
  }

  /** Band by type name, or empty when the feed cannot be read. */
  Optional<Map<String, Integer>> read(String region) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<byte[]> response = http.send(
          HttpRequest.newBuilder(feed).timeout(Duration.ofSeconds(20)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      return Optional.of(bands(JSON.readTree(response.body()), region));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static Map<String, Integer> bands(JsonNode root, String region) {
    Map<String, Integer> bands = new TreeMap<>();
    root.path("spot_advisor").path(region).path("Linux").fields().forEachRemaining(e -> {
      JsonNode r = e.getValue().path("r");
      if (r.canConvertToInt() && r.intValue() >= 0 && r.intValue() <= 4) {
        bands.put(e.getKey(), r.intValue());
      }
    });
    return bands;
  }
}
