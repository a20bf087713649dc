package dev.aether.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.PlanLine;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProvisioningFileTest {
  @TempDir Path dir;

  @Test
  void writesOneLinePerInstanceInTheSeedsColumnsThenBidAndZone() throws Exception {
    InstanceType c4 = new InstanceType("c4.large", 2, 3.75, 0, null);
    InstanceType m5d = new InstanceType("m5d.xlarge", 4, 16, 150, null);
    Plan plan = new Plan(List.of(
        new PlanLine(new Offer(c4, "us-east-1", "use1-az1", Market.SPOT, new BigDecimal("0.03"),
            new BigDecimal("0.1")), 2, 1),
        new PlanLine(new Offer(m5d, "us-east-1", "", Market.ON_DEMAND, new BigDecimal("0.226"),
            null), 1, 2)), BigDecimal.ONE);
    Path f = dir.resolve("prov.psv");
    ProvisioningFile.write(ProvisioningFile.instancesOf(plan), f);
    assertThat(Files.readAllLines(f)).containsExactly(
        "c4.large|2|3.75|false|true|0.1|use1-az1",
        "c4.large|2|3.75|false|true|0.1|use1-az1",
        "m5d.xlarge|4|16|true|false||");
    assertThat(ProvisioningFile.read(f)).isEqualTo(ProvisioningFile.instancesOf(plan));
  }

  @Test
  void readsTheSeedsFiveColumnFormat() throws Exception {
    Path f = dir.resolve("prov.psv");
    Files.writeString(f, "c4.large|2|3.75|false|true\nm4.large|2|8|false|false\n");
    List<ProvisionedInstance> read = ProvisioningFile.read(f);
    assertThat(read).extracting(ProvisionedInstance::biddable).containsExactly(true, false);
    assertThat(read.get(0).bid()).isEmpty();
  }

  @Test
  void reads2017FilesWhoseFifthColumnIsTheProvider() throws Exception {
    Path f = dir.resolve("prov.psv");
    Files.writeString(f, "c4.large|2|3.75|false|aws\nStandard_D2_v2|2|7|true|azure\n");
    List<ProvisionedInstance> read = ProvisioningFile.read(f);
    assertThat(read).allMatch(ProvisionedInstance::biddable);
    assertThat(read).extracting(i -> i.provider().orElseThrow()).containsExactly("aws", "azure");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "too few columns;      c4.large|2|3.75|false;           line 2",
    "processors not int;   c4.large|two|3.75|false|true;    line 2",
    "ram not number;       c4.large|2|lots|false|true;      line 2",
    "storage not boolean;  c4.large|2|3.75|maybe|true;      line 2",
    "biddable unknown;     c4.large|2|3.75|false|gcp;       line 2",
    "bid not number;       c4.large|2|3.75|false|true|x|z;  line 2",
    "zero processors;      c4.large|0|3.75|false|true;      line 2",
  })
  void rejectsMalformedLineWithItsNumber(String why, String bad, String where) throws Exception {
    Path f = dir.resolve("prov.psv");
    Files.writeString(f, "c4.large|2|3.75|false|true\n" + bad + "\n");
    assertThatThrownBy(() -> ProvisioningFile.read(f))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining(f + ": " + where + ":")
        .extracting(e -> ((AetherException) e).exitStatus()).isEqualTo(2);
  }

  @Test
  void rejectsAnEmptyPlan() throws Exception {
    Path f = dir.resolve("prov.psv");
    Files.writeString(f, "\n");
    assertThatThrownBy(() -> ProvisioningFile.read(f)).hasMessageContaining("no instances");
  }

  @Test
  void keepsOptionalColumnsAbsentWhenEmpty() {
    ProvisionedInstance i = ProvisioningFile.parseLine("c4.large|2|3.75|false|false||");
    assertThat(i.bid()).isEqualTo(Optional.empty());
    assertThat(i.zone()).isEmpty();
  }
}
