package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AwsLimitsTest {
  private AwsStubs aws;

  @BeforeEach
  void start() {
    aws = new AwsStubs();
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private void stubQuotas() {
    aws.server.stubFor(AwsStubs.json("ServiceQuotasV20190624.ListServiceQuotas")
        .withRequestBody(containing("\"ServiceCode\":\"ec2\""))
        .withRequestBody(notContaining("NextToken"))
        .willReturn(AwsStubs.jsonBody(AwsStubs.resource("servicequotas/list-service-quotas-1.json"))));
    aws.server.stubFor(AwsStubs.json("ServiceQuotasV20190624.ListServiceQuotas")
        .withRequestBody(containing("\"NextToken\":\"quotas-page-2\""))
        .willReturn(AwsStubs.jsonBody(AwsStubs.resource("servicequotas/list-service-quotas-2.json"))));
    aws.server.stubFor(AwsStubs.json("ServiceQuotasV20190624.ListAWSDefaultServiceQuotas")
        .willReturn(AwsStubs.jsonBody(
            AwsStubs.resource("servicequotas/list-aws-default-service-quotas.json"))));
  }

  @Test
  void readsVcpuQuotasFromEveryPageByClassAndMarket() {
    stubQuotas();
    Limits limits = new AwsLimits(aws.clients()).read();

    assertThat(limits.vcpuQuota("standard", Market.ON_DEMAND)).contains(640);
    assertThat(limits.vcpuQuota("standard", Market.SPOT)).contains(512);
    assertThat(limits.vcpuQuota("g", Market.ON_DEMAND)).contains(8);
    assertThat(limits.vcpuQuota("dl", Market.ON_DEMAND)).contains(96);
    assertThat(limits.perType()).isEmpty();
  }

  @Test
  void fillsQuotasTheAccountNeverChangedFromAwsDefaults() {
    stubQuotas();
    Limits limits = new AwsLimits(aws.clients()).read();

    // applied value wins over the default of 5
    assertThat(limits.vcpuQuota("standard", Market.ON_DEMAND)).contains(640);
    // only in the defaults
    assertThat(limits.vcpuQuota("g", Market.SPOT)).contains(4);
  }

  @Test
  void twoQuotasForOneBucketKeepTheSmaller() {
    stubQuotas();
    Limits limits = new AwsLimits(aws.clients()).read();
    assertThat(limits.vcpuQuota("p", Market.SPOT)).contains(0);
  }

  @Test
  void ignoresQuotasThatAreNotVcpuQuotas() {
    stubQuotas();
    Limits limits = new AwsLimits(aws.clients()).read();
    assertThat(limits.vcpuQuotas().keySet()).allMatch(k -> QuotaNames.CLASSES.contains(k.quotaClass()));
    // standard x2, g x2, p spot, dl on-demand
    assertThat(limits.vcpuQuotas()).hasSize(6);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "L-1216C47A|anything|standard|ON_DEMAND",
        "L-XXXXXXXX|Running On-Demand F instances|f|ON_DEMAND",
        "L-XXXXXXXX|Running On-Demand Inf instances|inf|ON_DEMAND",
        "L-XXXXXXXX|Running On-Demand Trn instances|trn|ON_DEMAND",
        "L-XXXXXXXX|Running On-Demand HPC instances|hpc|ON_DEMAND",
        "L-XXXXXXXX|Running On-Demand High Memory instances|high-memory|ON_DEMAND",
        "L-XXXXXXXX|All X Spot Instance Requests|x|SPOT",
        "L-XXXXXXXX|All DL Spot Instance Requests|dl|SPOT",
        "L-XXXXXXXX|All Inf Spot Instance Requests|inf|SPOT",
        "L-XXXXXXXX|All P4, P3 and P2 Spot Instance Requests|p|SPOT",
      })
  void mapsQuotaNamesToClasses(String code, String name, String quotaClass, Market market) {
    assertThat(QuotaNames.keyOf(code, name)).contains(new QuotaKey(quotaClass, market));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "L-0263D0A3|EC2-VPC Elastic IPs",
        "L-XXXXXXXX|Running Dedicated c5 Hosts",
        "L-XXXXXXXX|Running On-Demand Quantum instances",
      })
  void leavesOtherQuotasOut(String code, String name) {
    assertThat(QuotaNames.keyOf(code, name)).isEqualTo(Optional.empty());
  }

  @Test
  void deniedAccessBecomesAClearError() {
    aws.server.stubFor(AwsStubs.json("ServiceQuotasV20190624.ListServiceQuotas")
        .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(400)
            .withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"__type\":\"AccessDeniedException\",\"Message\":\"not authorized\"}")));

    assertThatThrownBy(() -> new AwsLimits(aws.clients()).read())
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("EC2 vCPU quotas")
        .hasMessageContaining("AccessDeniedException")
        .hasMessageContaining("IAM policy");
  }
}
