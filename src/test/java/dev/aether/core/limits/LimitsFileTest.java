package dev.aether.core.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LimitsFileTest {
  @TempDir Path dir;

  @Test
  void readsTheSeedsPerTypeLimitsAndVcpuQuotas() throws Exception {
    Path f = dir.resolve("instances.json");
    Files.writeString(f, """
        {"limits": {"c5.large": 20, "m5.xlarge": 0},
         "vcpuQuotas": {"on-demand": {"standard": 64}, "spot": {"standard": 128, "g": 8}}}
        """);
    Limits limits = LimitsFile.read(f);
    assertThat(limits.limitFor(new InstanceType("c5.large", 2, 4, 0, null))).contains(20);
    assertThat(limits.limitFor(new InstanceType("c5.xlarge", 4, 8, 0, null))).isEmpty();
    assertThat(limits.vcpuQuota("standard", Market.ON_DEMAND)).contains(64);
    assertThat(limits.vcpuQuota("g", Market.SPOT)).contains(8);
    assertThat(limits.vcpuQuota("g", Market.ON_DEMAND)).isEmpty();
  }

  @Test
  void writesWhatItReads() {
    Limits limits = new Limits(Map.of("c5.large", 3),
        Map.of(new QuotaKey("standard", Market.SPOT), 32));
    Path f = dir.resolve("out.json");
    LimitsFile.write(limits, f);
    assertThat(LimitsFile.read(f)).isEqualTo(limits);
  }

  @Test
  void refusesAQuotaClassTheCatalogDoesNotKnowSuggestingTheOneMeant() throws Exception {
    Path f = dir.resolve("instances.json");
    Files.writeString(f, "{\"vcpuQuotas\": {\"spot\": {\"Standard\": 256}}}");
    Limits limits = LimitsFile.read(f);

    assertThatThrownBy(() -> LimitsFile.checkQuotaClasses(limits,
        java.util.Set.of("standard", "g", "x"), f))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("--limits " + f)
        .hasMessageContaining("unknown quota class \"Standard\"")
        .hasMessageContaining("did you mean \"standard\"?")
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(2);
    LimitsFile.checkQuotaClasses(new Limits(Map.of(),
        Map.of(new QuotaKey("g", Market.SPOT), 8)), java.util.Set.of("standard", "g"), f);
  }

  @Test
  void classesNotListedCountAsZeroOnlyOnAMarketThatListsQuotas() {
    Limits limits = new Limits(Map.of(), Map.of(new QuotaKey("standard", Market.SPOT), 256));

    assertThat(limits.effectiveVcpuQuota("standard", Market.SPOT)).contains(256);
    assertThat(limits.effectiveVcpuQuota("x", Market.SPOT)).contains(0);
    assertThat(limits.effectiveVcpuQuota("x", Market.ON_DEMAND)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"limits\": {\"c5.large\": -1}}",
    "{\"limits\": {\"c5.large\": 2.5}}",
    "{\"limits\": [1, 2]}",
    "{\"vcpuQuotas\": {\"reserved\": {\"standard\": 4}}}",
    "{\"limit\": {}}",
    "{\"limits\": {",
    "[]"
  })
  void rejectsMalformedFileNamingIt(String json) throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, json);
    assertThatThrownBy(() -> LimitsFile.read(f))
        .isInstanceOf(AetherException.class)
        .hasMessageStartingWith("--limits " + f)
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(2);
  }
}
