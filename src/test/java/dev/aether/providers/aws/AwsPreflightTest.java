package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.aether.core.catalog.Catalog;
import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.QuotaKey;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.CheckResult;
import dev.aether.core.spi.CheckResult.Status;
import dev.aether.core.spi.Preflight;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code aether check} on AWS, against the fake account in the states a first run meets. */
class AwsPreflightTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  private static final Catalog CATALOG = UnbootableTypes.without(
      EmbeddedCatalog.load().inRegion("us-east-1"));
  private static final List<ProvisionedInstance> PLAN = List.of(
      new ProvisionedInstance("m5.large", 2, 8, false, true, Optional.of(new BigDecimal("0.05")),
          Optional.of("us-east-1a"), Optional.empty()),
      new ProvisionedInstance("c5.large", 2, 4, false, false, Optional.empty(), Optional.empty(),
          Optional.empty()));

  private FakeEc2 ec2;
  private S3Front s3;
  private AwsClients clients;
  private String project;

  @BeforeEach
  void start() throws Exception {
    ec2 = FakeEc2.withoutBoots();
    s3 = new S3Front(URI.create(S3.getServiceEndpoint()));
    AwsClients base = AwsStubs.clientsFor(s3.endpoint());
    clients = new AwsClients(AwsStubs.REGION, Optional.of(ec2.endpoint()), base.credentials(),
        base.retries(), Map.of("s3", s3.endpoint()));
    project = "aether-check-" + Long.toString(System.nanoTime(), 36);
  }

  @AfterEach
  void stop() {
    ec2.close();
    s3.close();
    assertThat(ec2.unexpected).isEmpty();
    assertThat(ec2.machines()).as("a check starts nothing").isEmpty();
  }

  private List<CheckResult> check() {
    return new AwsPreflight(clients, AwsProvider.Settings.in("us-east-1"))
        .run(new Preflight.Request(Optional.of(project), PLAN, CATALOG));
  }

  private static CheckResult line(List<CheckResult> results, String name) {
    return results.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + name + " in " + results));
  }

  @Test
  void aFreshAccountIsReadyOnceTheSpotRoleIsMadeAndEveryLaunchWouldSucceed() {
    List<CheckResult> results = check();

    assertThat(results).extracting(CheckResult::name).containsExactly("credentials", "region",
        "default VPC", "subnets", "worker instance profile", "coordinator instance profile",
        "coordinator role", "worker role", "spot service-linked role", "vCPU quotas",
        "dry run coordinator node t3a.medium (on-demand)", "dry run m5.large (spot, us-east-1a)",
        "dry run c5.large (on-demand)", "bucket");
    assertThat(results).filteredOn(r -> !r.name().equals("spot service-linked role"))
        .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(Status.PASS));
    assertThat(line(results, "spot service-linked role").status()).isEqualTo(Status.FIXED);
    assertThat(ec2.spotRoleExists).isTrue();
    assertThat(line(results, "credentials").detail()).contains("account 123456789012");
    assertThat(line(results, "vCPU quotas").detail())
        .contains("standard on-demand 4 of 64 (0 in use)").contains("standard spot 2 of 64");
    assertThat(line(results, "bucket").detail()).contains("does not exist yet");
    // every launch was a dry run
    assertThat(ec2.calls).filteredOn(c -> "RunInstances".equals(c.get("Action")))
        .hasSize(3).allSatisfy(c -> assertThat(c).containsEntry("DryRun", "true"));
  }

  @Test
  void aMissingSpotRoleTheUserMayNotMakeFailsWithTheCommand() {
    ec2.mayCreateSpotRole.clear();

    CheckResult r = line(check(), "spot service-linked role");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.detail()).contains("AWSServiceRoleForEC2Spot is missing");
    assertThat(r.fix()).contains("`aws iam create-service-linked-role --aws-service-name"
        + " spot.amazonaws.com` once, as an administrator");
  }

  @Test
  void noDefaultVpcFailsWithTheCommandThatMakesOne() {
    ec2.defaultVpc = false;

    CheckResult r = line(check(), "default VPC");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.fix()).get().asString().contains("aws ec2 create-default-vpc");
  }

  @Test
  void aPlannedZoneWithoutDefaultSubnetIsAWarningWithTheCommand() {
    ec2.zonesWithoutSubnet.add("us-east-1a");

    List<CheckResult> results = check();

    assertThat(line(results, "subnets").status()).isEqualTo(Status.WARN);
    assertThat(line(results, "subnets").fix()).get().asString()
        .contains("aws ec2 create-default-subnet --availability-zone us-east-1a");
    assertThat(results).noneMatch(CheckResult::blocks);
  }

  @Test
  void aMissingInstanceProfileFails() {
    ec2.instanceProfiles.remove("aether-coordinator");

    CheckResult r = line(check(), "coordinator instance profile");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.detail()).contains("aether-coordinator does not exist");
    assertThat(r.fix()).get().asString().contains("docs/aws.md#roles");
  }

  @Test
  void quotasCountWhatAlreadyRunsAndTheCoordinatorNode() {
    ec2.quotas.put(new QuotaKey("standard", Market.ON_DEMAND), 4);
    ec2.addForeignInstance("c5.large", false); // 2 vCPUs of someone else's

    CheckResult r = line(check(), "vCPU quotas");

    // coordinator 2 + c5.large 2 = 4 needed, 2 free: the coordinator fits, the worker does not,
    // but the spot worker does
    assertThat(r.status()).isEqualTo(Status.WARN);
    assertThat(r.detail()).contains("standard on-demand 4 of 4 (2 in use)");
    assertThat(r.fix()).get().asString().contains("--quota-code L-1216C47A --desired-value 6");
  }

  @Test
  void noRoomForEvenTheCoordinatorNodeFails() {
    ec2.quotas.put(new QuotaKey("standard", Market.ON_DEMAND), 2);
    ec2.quotas.put(new QuotaKey("standard", Market.SPOT), 0);
    ec2.addForeignInstance("c5.large", false);

    CheckResult r = line(check(), "vCPU quotas");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.detail()).contains("not even the coordinator node fits");
  }

  @Test
  void aLaunchTheUserMayNotMakeFailsItsDryRun() {
    ec2.denied.put("AKIDFAKEFORTESTS", Set.of("RunInstances"));

    CheckResult r = line(check(), "dry run m5.large (spot, us-east-1a)");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.detail()).startsWith("UnauthorizedOperation");
    assertThat(r.fix()).get().asString().contains("decode-authorization-message");
  }

  @Test
  void anotherProjectsBucketFails() {
    try (var raw = AwsStubs.clientsFor(s3.endpoint()).s3()) {
      raw.createBucket(b -> b.bucket(project).createBucketConfiguration(c -> c.tags(
          software.amazon.awssdk.services.s3.model.Tag.builder().key("aether:project")
              .value("another").build())));
    }

    CheckResult r = line(check(), "bucket");

    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.detail()).contains("belongs to project 'another'");
    assertThat(r.fix()).contains("choose another project name with -N");
  }

  @Test
  void badCredentialsStopTheCheckAtTheFirstLine() {
    clients = new AwsClients(AwsStubs.REGION, Optional.of(URI.create("http://127.0.0.1:9")),
        clients.credentials(), clients.retries());

    List<CheckResult> results = check();

    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.name()).isEqualTo("credentials");
      assertThat(r.status()).isEqualTo(Status.FAIL);
      assertThat(r.fix()).get().asString().contains("aws sts get-caller-identity");
    });
  }
}
