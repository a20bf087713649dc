package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aether.core.AetherException;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.NodeBootstrap;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Ec2MachinesTest {
  private static final String TOKEN = "s3cr3t-pipeline-token-for-tests";
  private static final NodeBootstrap BOOT =
      new NodeBootstrap(URI.create("http://172.31.1.5:7070"), TOKEN, "demo");
  private static final ProvisionedInstance SPOT = new ProvisionedInstance("m5.large", 2, 8, false,
      true, Optional.of(new BigDecimal("0.052")), Optional.of("us-east-1a"), Optional.empty());
  private static final ProvisionedInstance ON_DEMAND = new ProvisionedInstance("m6g.large", 2, 8,
      false, false, Optional.empty(), Optional.empty(), Optional.empty());

  private AwsStubs aws;
  private Ec2Machines machines;

  @BeforeEach
  void start() {
    aws = new AwsStubs();
    AwsClients clients = aws.clients();
    S3Storage bucket = new S3Storage(clients.s3(), clients::s3Async, "demo");
    machines = new Ec2Machines(clients, bucket, new Ec2Machines.Settings("demo", "aether-node", 7070));
    aws.server.stubFor(put(urlPathEqualTo("/demo/secrets/pipeline-token"))
        .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"e1\"")));
    aws.server.stubFor(AwsStubs.ec2("DescribeVpcs", null).willReturn(AwsStubs.xml("ec2/describe-vpcs-default.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeSecurityGroups", null)
        .willReturn(AwsStubs.xml("ec2/describe-security-groups-none.xml")));
    aws.server.stubFor(AwsStubs.ec2("CreateSecurityGroup", null).willReturn(AwsStubs.xml("ec2/create-security-group.xml")));
    aws.server.stubFor(AwsStubs.ec2("AuthorizeSecurityGroupIngress", null)
        .willReturn(AwsStubs.xml("ec2/authorize-security-group-ingress.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeInstanceTypes", null)
        .willReturn(AwsStubs.xml("ec2/describe-instance-types-launch.xml")));
    aws.server.stubFor(AwsStubs.json("AmazonSSM.GetParameter")
        .withRequestBody(containing("al2023-ami-kernel-default-x86_64"))
        .willReturn(AwsStubs.jsonBody(parameter("x86_64", "ami-0x86"))));
    aws.server.stubFor(AwsStubs.json("AmazonSSM.GetParameter")
        .withRequestBody(containing("al2023-ami-kernel-default-arm64"))
        .willReturn(AwsStubs.jsonBody(parameter("arm64", "ami-0arm"))));
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null).withRequestBody(containing("InstanceType=m5.large"))
        .willReturn(AwsStubs.xml("ec2/run-instances-m5.large.xml")));
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null).withRequestBody(containing("InstanceType=m6g.large"))
        .willReturn(AwsStubs.xml("ec2/run-instances-m6g.large.xml")));
    aws.server.stubFor(AwsStubs.ec2("TerminateInstances", null).willReturn(AwsStubs.xml("ec2/terminate-instances.xml")));
  }

  @AfterEach
  void stop() {
    machines.close();
    aws.close();
  }

  private static String parameter(String arch, String ami) {
    return "{\"Parameter\":{\"Name\":\"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-"
        + arch + "\",\"Type\":\"String\",\"Value\":\"" + ami + "\",\"Version\":42,"
        + "\"LastModifiedDate\":1.7E9,\"DataType\":\"aws:ec2:image\"}}";
  }

  private List<String> bodies(String action) {
    return aws.server.findAll(postRequestedFor(urlEqualTo("/"))
            .withRequestBody(containing("Action=" + action + "&"))).stream()
        .map(LoggedRequest::getBodyAsString)
        .map(b -> URLDecoder.decode(b, StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void startsSpotAtTheBidInThePlansZoneWithTheArchitecturesImage() {
    List<Node> nodes = machines.start(List.of(SPOT), BOOT);

    assertThat(nodes).containsExactly(new Node("i-0aaa1111", SPOT, Optional.of("172.31.5.10"), NodeState.PENDING));
    String run = bodies("RunInstances").get(0);
    assertThat(run)
        .contains("ImageId=ami-0x86", "MinCount=1", "MaxCount=1")
        .contains("InstanceMarketOptions.MarketType=spot")
        .contains("InstanceMarketOptions.SpotOptions.MaxPrice=0.052")
        .contains("InstanceMarketOptions.SpotOptions.SpotInstanceType=one-time")
        .contains("Placement.AvailabilityZone=us-east-1a")
        .contains("IamInstanceProfile.Name=aether-node")
        .contains("SecurityGroupId.1=sg-0new")
        .contains("Key=aether:project", "Value=demo")
        .contains("ResourceType=spot-instances-request");
  }

  @Test
  void startsOnDemandWithoutMarketOptions() {
    machines.start(List.of(ON_DEMAND), BOOT);

    String run = bodies("RunInstances").get(0);
    assertThat(run).contains("ImageId=ami-0arm", "InstanceType=m6g.large")
        .doesNotContain("InstanceMarketOptions").doesNotContain("Placement.");
  }

  @Test
  void keepsTheTokenOutOfUserDataAndInTheBucket() {
    machines.start(List.of(SPOT), BOOT);

    aws.server.verify(putRequestedFor(urlPathEqualTo("/demo/secrets/pipeline-token"))
        .withRequestBody(containing(TOKEN)));
    String run = bodies("RunInstances").get(0);
    assertThat(run).doesNotContain(TOKEN);
    Matcher m = Pattern.compile("UserData=([^&]+)").matcher(run);
    assertThat(m.find()).isTrue();
    String script = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    assertThat(script)
        .doesNotContain(TOKEN)
        .contains("java-17-amazon-corretto-headless")
        .contains("s3://demo/aether/aether.jar")
        .contains("--token-file /run/aether/token --project demo --bucket demo --region us-east-1")
        .contains("s3://demo/secrets/pipeline-token")
        .contains("--coordinator http://172.31.1.5:7070");
  }

  @Test
  void opensOnlyTheCoordinatorPortToTheVpc() {
    machines.start(List.of(SPOT), BOOT);

    List<String> ingress = bodies("AuthorizeSecurityGroupIngress");
    assertThat(ingress).hasSize(1);
    assertThat(ingress.get(0))
        .contains("GroupId=sg-0new", "IpPermissions.1.IpProtocol=tcp", "IpPermissions.1.FromPort=7070",
            "IpPermissions.1.ToPort=7070", "IpPermissions.1.IpRanges.1.CidrIp=172.31.0.0/16")
        .doesNotContain("0.0.0.0/0").doesNotContain("Port=22");
    assertThat(bodies("CreateSecurityGroup").get(0)).contains("GroupName=aether-demo", "VpcId=vpc-0a1b2c3d");
  }

  @Test
  void reusesTheProjectsSecurityGroup() {
    aws.server.stubFor(AwsStubs.ec2("DescribeSecurityGroups", null)
        .willReturn(AwsStubs.xml("ec2/describe-security-groups-existing.xml")));

    machines.start(List.of(SPOT), BOOT);

    assertThat(bodies("CreateSecurityGroup")).isEmpty();
    assertThat(bodies("RunInstances").get(0)).contains("SecurityGroupId.1=sg-0existing");
  }

  @Test
  void aFailedStartTerminatesWhatItStarted() {
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null).withRequestBody(containing("InstanceType=m6g.large"))
        .willReturn(AwsStubs.ec2Error(500, "InsufficientInstanceCapacity",
            "We currently do not have sufficient m6g.large capacity in the Availability Zone you requested")));

    assertThatThrownBy(() -> machines.start(List.of(SPOT, ON_DEMAND), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("starting m6g.large (on-demand)")
        .hasMessageContaining("no spare capacity")
        .hasMessageContaining("terminated the 1 node(s) already started");
    assertThat(bodies("TerminateInstances")).singleElement().asString().contains("InstanceId.1=i-0aaa1111");
  }

  @Test
  void aBidBelowTheSpotPriceSaysSo() {
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null)
        .willReturn(AwsStubs.ec2Error(400, "SpotMaxPriceTooLow",
            "Your Spot request price of 0.052 is lower than the minimum required Spot request fulfillment price of 0.06.")));

    assertThatThrownBy(() -> machines.start(List.of(SPOT), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("spot price is above our bid")
        .hasMessageContaining("bid $0.052/h");
    assertThat(bodies("TerminateInstances")).isEmpty();
  }

  @Test
  void throttledCallsAreRetried() {
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null).inScenario("throttle").whenScenarioStateIs(STARTED)
        .willReturn(AwsStubs.ec2Error(503, "RequestLimitExceeded", "Request limit exceeded."))
        .willSetStateTo("calm"));
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null).inScenario("throttle").whenScenarioStateIs("calm")
        .willReturn(AwsStubs.xml("ec2/run-instances-m5.large.xml")));

    assertThat(machines.start(List.of(SPOT), BOOT)).extracting(Node::id).containsExactly("i-0aaa1111");
    assertThat(bodies("RunInstances")).hasSize(2);
  }

  @Test
  void endlessThrottlingEndsInAClearError() {
    aws.server.stubFor(AwsStubs.ec2("RunInstances", null)
        .willReturn(AwsStubs.ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.")));

    assertThatThrownBy(() -> machines.start(List.of(SPOT), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("throttling");
    assertThat(bodies("RunInstances")).hasSize(3); // the test retry strategy's max attempts
  }

  @Test
  void listsTheProjectsNodesByTagAcrossPages() {
    aws.server.stubFor(AwsStubs.ec2("DescribeInstances", null).willReturn(AwsStubs.xml("ec2/describe-instances-1.xml")));
    aws.server.stubFor(AwsStubs.ec2("DescribeInstances", "instances-page-2")
        .willReturn(AwsStubs.xml("ec2/describe-instances-2.xml")));

    List<Node> nodes = machines.list();

    assertThat(nodes).extracting(Node::id).containsExactly("i-0aaa1111", "i-0bbb2222");
    assertThat(nodes.get(0).instance().bid()).contains(new BigDecimal("0.052"));
    assertThat(nodes.get(0).instance().zone()).contains("us-east-1a");
    assertThat(nodes.get(1).instance().biddable()).isFalse();
    assertThat(nodes.get(1).address()).isEmpty();
    assertThat(bodies("DescribeInstances").get(0))
        .contains("Filter.1.Name=tag:aether:project", "Filter.1.Value.1=demo",
            "Filter.2.Name=instance-state-name", "Filter.2.Value.1=pending", "Filter.2.Value.2=running");
  }

  @Test
  void findsANodeByIdEvenOnceItHasShutItselfDown() {
    aws.server.stubFor(AwsStubs.ec2("DescribeInstances", null)
        .willReturn(AwsStubs.xml("ec2/describe-instances-terminated.xml")));

    Optional<Node> node = machines.find("i-0aaa1111");

    assertThat(node).get().extracting(Node::id).isEqualTo("i-0aaa1111");
    assertThat(node.get().instance().zone()).contains("us-east-1a");
    assertThat(node.get().instance().biddable()).isTrue();
    assertThat(bodies("DescribeInstances").get(0))
        .contains("InstanceId.1=i-0aaa1111", "Filter.1.Name=tag:aether:project",
            "Filter.1.Value.1=demo")
        .doesNotContain("instance-state-name");

    aws.server.stubFor(AwsStubs.ec2("DescribeInstances", null).willReturn(AwsStubs.ec2Error(400,
        "InvalidInstanceID.NotFound", "The instance ID 'i-0ccc3333' does not exist")));
    assertThat(machines.find("i-0ccc3333")).isEmpty();
  }

  @Test
  void stopTerminatesAndToleratesAGoneInstance() {
    Node node = new Node("i-0aaa1111", SPOT, Optional.empty(), NodeState.RUNNING);
    machines.stop(node);
    assertThat(bodies("TerminateInstances")).singleElement().asString().contains("InstanceId.1=i-0aaa1111");

    aws.server.stubFor(AwsStubs.ec2("TerminateInstances", null).willReturn(
        AwsStubs.ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID 'i-0aaa1111' does not exist")));
    machines.stop(node);
  }

  @Test
  void aTypeTheRegionDoesNotOfferIsInvalidInput() {
    ProvisionedInstance odd = new ProvisionedInstance("z9.huge", 2, 8, false, false,
        Optional.empty(), Optional.empty(), Optional.empty());
    assertThatThrownBy(() -> machines.start(List.of(odd), BOOT))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("z9.huge")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
    aws.server.verify(exactly(0), postRequestedFor(urlEqualTo("/"))
        .withRequestBody(containing("Action=RunInstances")));
  }

  @Test
  void zoneIdsArePlacedById() {
    ProvisionedInstance byId = new ProvisionedInstance("m5.large", 2, 8, false, true,
        Optional.of(new BigDecimal("0.05")), Optional.of("use1-az4"), Optional.empty());
    machines.start(List.of(byId), BOOT);
    assertThat(bodies("RunInstances").get(0)).contains("Placement.AvailabilityZoneId=use1-az4");
  }

}
