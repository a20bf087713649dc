package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.aether.core.AetherException;
import dev.aether.core.catalog.Market;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.StartReport;
import dev.aether.core.spi.Unavailable;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Ec2Machines} against the strict fake account ({@link FakeEc2}, no boots) and S3Mock. */
class Ec2MachinesTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  private static final String TOKEN = "s3cr3t-pipeline-token-for-tests";
  private static final NodeBootstrap BOOT =
      new NodeBootstrap(URI.create("http://172.31.1.5:7070"), TOKEN, "demo");
  /** us-east-1a, where m5.large's spot price in the snapshot is 0.0453. */
  private static final ProvisionedInstance SPOT = spot("m5.large", "0.052", "us-east-1a");
  private static final ProvisionedInstance ON_DEMAND = new ProvisionedInstance("m6g.large", 2, 8,
      false, false, Optional.empty(), Optional.empty(), Optional.empty());

  private FakeEc2 ec2;
  private S3Front s3;
  private S3Storage bucket;
  private Ec2Machines machines;
  private String project;

  private static ProvisionedInstance spot(String type, String bid, String zone) {
    return new ProvisionedInstance(type, 2, 8, false, true, Optional.of(new BigDecimal(bid)),
        Optional.ofNullable(zone), Optional.empty());
  }

  @BeforeEach
  void start() throws Exception {
    ec2 = FakeEc2.withoutBoots();
    ec2.spotRoleExists = true;
    project = "demo-" + Long.toString(System.nanoTime(), 36);
    s3 = new S3Front(URI.create(S3.getServiceEndpoint()));
    AwsClients base = AwsStubs.clientsFor(s3.endpoint());
    AwsClients clients = new AwsClients(AwsStubs.REGION, Optional.of(ec2.endpoint()),
        base.credentials(), base.retries(), Map.of("s3", s3.endpoint()));
    bucket = S3Storage.open(clients, project);
    machines = new Ec2Machines(clients, bucket, new Ec2Machines.Settings(project, "aether-worker",
        "aether-coordinator", 7070));
  }

  @AfterEach
  void stop() {
    machines.close();
    bucket.close();
    ec2.close();
    s3.close();
    assertThat(ec2.unexpected).as("calls the fake does not know").isEmpty();
  }

  private List<Map<String, String>> calls(String action) {
    return ec2.calls.stream().filter(c -> action.equals(c.get("Action"))).toList();
  }

  private Map<String, String> run(int i) {
    return calls("RunInstances").get(i);
  }

  @Test
  void startsSpotAtTheBidInTheDefaultSubnetOfThePlansZone() {
    List<Node> nodes = machines.start(List.of(SPOT), BOOT);

    assertThat(nodes).singleElement().satisfies(n -> {
      assertThat(n.instance()).isEqualTo(SPOT);
      assertThat(n.state()).isEqualTo(NodeState.PENDING);
    });
    FakeEc2.Machine m = ec2.machines().get(0);
    assertThat(m.spot).isTrue();
    assertThat(m.maxPrice).contains("0.052");
    assertThat(m.zone).isEqualTo("us-east-1a");
    assertThat(m.profile).isEqualTo("aether-worker");
    assertThat(m.tags).containsEntry("aether:project", project).containsEntry("aether:role",
        "worker");
    assertThat(run(0)).containsEntry("ImageId", FakeEc2.IMAGE_X86)
        .containsEntry("SubnetId", "subnet-0afake")
        .containsEntry("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time")
        .containsEntry("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate")
        .containsEntry("MetadataOptions.HttpTokens", "required")
        .containsValue("spot-instances-request");
  }

  @Test
  void aZoneIdFindsItsZonesSubnet() {
    machines.start(List.of(spot("m5.large", "0.06", "use1-az4")), BOOT);
    assertThat(ec2.machines().get(0).zone).isEqualTo("us-east-1a");
  }

  @Test
  void startsOnDemandArmWithTheArmImageAndLetsEc2PickTheZone() {
    machines.start(List.of(ON_DEMAND), BOOT);

    assertThat(run(0)).containsEntry("ImageId", FakeEc2.IMAGE_ARM)
        .containsEntry("InstanceType", "m6g.large")
        .doesNotContainKeys("InstanceMarketOptions.MarketType", "SubnetId");
  }

  @Test
  void keepsTheTokenOutOfUserDataAndInTheBucket() {
    machines.start(List.of(SPOT), BOOT);

    assertThat(bucket.read(Ec2Machines.TOKEN_KEY)).map(b -> new String(b, StandardCharsets.UTF_8))
        .contains(TOKEN);
    String script = ec2.machines().get(0).userData;
    assertThat(run(0).toString()).doesNotContain(TOKEN);
    assertThat(script)
        .doesNotContain(TOKEN)
        .startsWith("#!/bin/bash\n# Aether node boot.")
        .contains("umask 077\n")
        .contains("trap ")
        .contains("java-17-amazon-corretto-headless")
        .contains("s3://" + project + "/aether/aether.jar")
        .contains("--token-file /run/aether/token --project " + project)
        .contains("s3://" + project + "/secrets/pipeline-token")
        .contains("--coordinator http://172.31.1.5:7070");
    // the umask comes before anything is written, the token included
    assertThat(script.indexOf("umask 077")).isLessThan(script.indexOf("aws s3 cp"));
  }

  @Test
  void opensOnlyTheCoordinatorPortToTheVpcAndReusesTheGroup() {
    machines.start(List.of(SPOT), BOOT);
    machines.start(List.of(SPOT), BOOT);

    assertThat(calls("CreateSecurityGroup")).singleElement()
        .satisfies(c -> assertThat(c).containsEntry("GroupName", "aether-" + project)
            .containsEntry("VpcId", FakeEc2.VPC));
    assertThat(calls("AuthorizeSecurityGroupIngress")).singleElement().satisfies(c ->
        assertThat(c).containsEntry("IpPermissions.1.IpProtocol", "tcp")
            .containsEntry("IpPermissions.1.FromPort", "7070")
            .containsEntry("IpPermissions.1.ToPort", "7070")
            .containsEntry("IpPermissions.1.IpRanges.1.CidrIp", FakeEc2.CIDR));
  }

  @ParameterizedTest
  @CsvSource({
      "InsufficientInstanceCapacity, CAPACITY",
      "SpotMaxPriceTooLow, PRICE",
      "VcpuLimitExceeded, QUOTA",
      "MaxSpotInstanceCountExceeded, QUOTA",
      "InstanceLimitExceeded, QUOTA",
      "Unsupported, ZONE",
      "InsufficientFreeAddressesInSubnet, ZONE"})
  void aPoolWithoutRoomIsReportedAndTheOthersStillStart(String code, Unavailable.Reason reason) {
    ec2.failPool("m5.large", "us-east-1a", Market.SPOT, code);

    StartReport r = machines.startEach(List.of(SPOT, ON_DEMAND), BOOT);

    assertThat(r.started()).extracting(n -> n.instance().type()).containsExactly("m6g.large");
    assertThat(r.unavailable()).singleElement().satisfies(u -> {
      assertThat(u.instance()).isEqualTo(SPOT);
      assertThat(u.reason()).isEqualTo(reason);
      assertThat(u.message()).startsWith(code);
    });
    // a capacity refusal is not retried in the same pool: it only delays trying another
    assertThat(calls("RunInstances")).hasSize(2);
  }

  @Test
  void aBidBelowTheMarketIsAPriceRefusal() {
    StartReport r = machines.startEach(List.of(spot("m5.large", "0.02", "us-east-1a")), BOOT);
    assertThat(r.unavailable()).singleElement().extracting(Unavailable::reason)
        .isEqualTo(Unavailable.Reason.PRICE);
  }

  @Test
  void aZoneWithoutDefaultSubnetIsAZoneRefusalAndNothingIsAsked() {
    ec2.zonesWithoutSubnet.add("us-east-1a");

    StartReport r = machines.startEach(List.of(SPOT), BOOT);

    assertThat(r.unavailable()).singleElement().satisfies(u -> {
      assertThat(u.reason()).isEqualTo(Unavailable.Reason.ZONE);
      assertThat(u.message()).contains("no subnet in us-east-1a")
          .contains("aws ec2 create-default-subnet --availability-zone us-east-1a");
    });
    assertThat(calls("RunInstances")).isEmpty();
  }

  @Test
  void theAllOrNothingStartEndsWhatItStartedWhenAPoolHasNoRoom() {
    ec2.failPool("m6g.large", null, null, "InsufficientInstanceCapacity");

    assertThatThrownBy(() -> machines.start(List.of(SPOT, ON_DEMAND), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("m6g.large (on-demand)")
        .hasMessageContaining("InsufficientInstanceCapacity")
        .hasMessageContaining("terminated the 1 node(s) already started");
    assertThat(ec2.alive()).isEmpty();
  }

  @Test
  void aMissingSpotServiceLinkedRoleSaysHowToMakeIt() {
    ec2.spotRoleExists = false;
    ec2.mayCreateSpotRole.clear();

    assertThatThrownBy(() -> machines.start(List.of(SPOT), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("AWSServiceRoleForEC2Spot")
        .hasMessageContaining("aws iam create-service-linked-role --aws-service-name"
            + " spot.amazonaws.com");
    assertThat(ec2.alive()).isEmpty();
  }

  @Test
  void throttledCallsAreRetried() {
    ec2.throttle("RunInstances", 2);

    assertThat(machines.start(List.of(SPOT), BOOT)).hasSize(1);
    assertThat(calls("RunInstances")).hasSize(3);
  }

  @Test
  void endlessThrottlingEndsInAClearError() {
    ec2.throttle("RunInstances", 100);

    assertThatThrownBy(() -> machines.start(List.of(SPOT), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("throttling");
    assertThat(calls("RunInstances")).hasSize(3); // the test retry strategy's max attempts
  }

  @Test
  void theRealRetryStrategyRetriesThrottlingButNotCapacity() {
    assertThat(AwsRetries.MAX_ATTEMPTS).isEqualTo(12);
    var throttled = software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
        .statusCode(503).awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails
            .builder().errorCode("RequestLimitExceeded").build()).build();
    var capacity = software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
        .statusCode(500).awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails
            .builder().errorCode("InsufficientInstanceCapacity").build()).build();
    var internal = software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
        .statusCode(500).awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails
            .builder().errorCode("InternalError").build()).build();
    assertThat(AwsRetries.retryable(throttled)).isTrue();
    assertThat(AwsRetries.throttled(throttled)).isTrue();
    assertThat(AwsRetries.retryable(capacity)).isFalse();
    assertThat(AwsRetries.retryable(internal)).isTrue();
  }

  @Test
  void listsAndFindsTheProjectsNodesEvenOnceTheyEnded() {
    List<Node> started = machines.start(List.of(SPOT, ON_DEMAND), BOOT);

    assertThat(machines.list()).extracting(Node::id)
        .containsExactlyElementsOf(started.stream().map(Node::id).toList());
    // a node planned without a zone is known by the zone EC2 put it in
    assertThat(machines.list().get(1).instance().zone()).isPresent();
    machines.stop(started.get(0));
    assertThat(machines.list()).extracting(Node::id).containsExactly(started.get(1).id());
    assertThat(machines.find(started.get(0).id())).get().satisfies(n -> {
      assertThat(n.state()).isEqualTo(NodeState.GONE);
      assertThat(n.instance().zone()).contains("us-east-1a");
    });
    assertThat(machines.find("i-0000000000000dead")).isEmpty();
    machines.stop(started.get(0)); // stopping a stopped node does nothing
  }

  @Test
  void aTypeTheRegionDoesNotOfferIsAZoneRefusal() {
    ProvisionedInstance odd = new ProvisionedInstance("z9.huge", 2, 8, false, false,
        Optional.empty(), Optional.empty(), Optional.empty());
    StartReport r = machines.startEach(List.of(odd), BOOT);
    assertThat(r.unavailable()).singleElement().satisfies(u ->
        assertThat(u.message()).contains("z9.huge is not offered in us-east-1"));
    assertThat(calls("RunInstances")).isEmpty();
  }

  @Test
  void anA1TypeIsRefusedBeforeAnythingStarts() {
    ProvisionedInstance a1 = new ProvisionedInstance("a1.large", 2, 4, false, false,
        Optional.empty(), Optional.empty(), Optional.empty());
    assertThatThrownBy(() -> machines.start(List.of(a1), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("Amazon Linux 2023 does not support the a1 family")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    assertThat(calls("RunInstances")).isEmpty();
  }

  @Test
  void theCoordinatorMovesToTheNextTypeWhenTheCheapestHasNoRoom() {
    ec2.failPool("t3a.medium", null, null, "InsufficientInstanceCapacity");
    ProvisionedInstance first = new ProvisionedInstance("t3a.medium", 2, 4, false, false,
        Optional.empty(), Optional.empty(), Optional.empty());
    ProvisionedInstance second = new ProvisionedInstance("c5.large", 2, 4, false, false,
        Optional.empty(), Optional.empty(), Optional.empty());

    Node node = machines.startCoordinator(List.of(first, second));

    assertThat(node.instance().type()).isEqualTo("c5.large");
    assertThat(ec2.machines()).singleElement().satisfies(m -> {
      assertThat(m.profile).isEqualTo("aether-coordinator");
      assertThat(m.role()).isEqualTo("coordinator");
      assertThat(m.userData).contains("coordinate --provider aws --bucket " + project)
          .contains("--instance-profile aether-worker");
    });
  }

  @Test
  void readsTheConsoleOutputOfANode() {
    Node n = machines.start(List.of(SPOT), BOOT).get(0);
    assertThat(machines.console(n)).isEmpty(); // nothing printed yet
  }

  @Test
  void deletesOnlyTheProjectsLeftoverVolumes() {
    String ours = ec2.addVolume(project);
    String theirs = ec2.addVolume("someone-else");

    assertThat(machines.admin().deleteLeftoverVolumes()).containsExactly(ours);
    assertThat(ec2.volumes()).containsExactly(theirs);
  }

  @Test
  void userDataIsBase64() {
    assertThat(new String(Base64.getDecoder().decode(UserData.encode("écho")),
        StandardCharsets.UTF_8)).isEqualTo("écho");
  }
}
