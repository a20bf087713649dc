package dev.aether.providers.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.aether.core.AetherException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;

class VolumeAttacherTest {
  private static final String VOLUME = "vol-0123456789abcdef0";
  private static final String INSTANCE = "i-0aaa1111bbbb2222c";
  private static final AttachStorageNode NODE =
      new AttachStorageNode(INSTANCE, "us-east-1a", "us-east-1");
  private static final Path NVME = Path.of("/dev/nvme1n1");

  @TempDir Path mnt;
  private AwsStubs aws;
  private Ec2Client ec2;
  private final FakeHost host = new FakeHost();

  @BeforeEach
  void start() {
    aws = new AwsStubs();
    ec2 = aws.clients().ec2();
    stub("DescribeTags", "describe-tags-project.xml");
    stub("CreateVolume", "create-volume.xml");
    stub("AttachVolume", "attach-volume.xml");
    stub("ModifyInstanceAttribute", "modify-instance-attribute.xml");
    aws.server.stubFor(AwsStubs.ec2("DescribeVolumes", null)
        .withRequestBody(containing("Filter.1.Name=attachment.instance-id"))
        .willReturn(AwsStubs.xml("ec2/describe-volumes-of-instance.xml")));
    // The new volume as EC2 reports it poll after poll: creating, available, then (once
    // attached) attaching, attached.
    String[][] states = {{STARTED, "creating", "available"}, {"available", "available", "attach"},
        {"attach", "attaching", "attached"}, {"attached", "attached", "attached"}};
    for (String[] s : states) {
      aws.server.stubFor(AwsStubs.ec2("DescribeVolumes", null)
          .withRequestBody(containing("VolumeId.1=" + VOLUME))
          .inScenario("volume").whenScenarioStateIs(s[0])
          .willReturn(AwsStubs.xml("ec2/describe-volumes-" + s[1] + ".xml"))
          .willSetStateTo(s[2]));
    }
  }

  @AfterEach
  void stop() {
    ec2.close();
    aws.close();
  }

  private void stub(String action, String file) {
    aws.server.stubFor(AwsStubs.ec2(action, null).willReturn(AwsStubs.xml("ec2/" + file)));
  }

  private VolumeAttacher attacher() {
    return new VolumeAttacher(ec2, host, NODE, "demo", mnt, Duration.ofMillis(1),
        Duration.ofSeconds(5));
  }

  /** The EC2 actions called, in order, with their decoded bodies. */
  private List<String> calls() {
    List<ServeEvent> events = new ArrayList<>(aws.server.getAllServeEvents());
    events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
    return events.stream().map(e -> e.getRequest())
        .map(LoggedRequest::getBodyAsString)
        .map(b -> URLDecoder.decode(b, StandardCharsets.UTF_8))
        .toList();
  }

  private static String action(String body) {
    Matcher m = Pattern.compile("Action=(\\w+)").matcher(body);
    return m.find() ? m.group(1) : body;
  }

  private String body(String action) {
    return calls().stream().filter(b -> b.contains("Action=" + action + "&")).findFirst()
        .orElseThrow();
  }

  @Test
  void createsAttachesKeepsForDeletionFormatsAndMounts() {
    VolumeAttacher.Attached a = attacher().attach(new AttachStorageRequest(100, "scratch"));

    Path mountPoint = mnt.resolve("scratch");
    assertThat(a).isEqualTo(new VolumeAttacher.Attached(mountPoint, Optional.of(VOLUME),
        Optional.of(NVME)));
    assertThat(calls()).extracting(VolumeAttacherTest::action).containsExactly(
        "CreateVolume", "DescribeVolumes", "DescribeVolumes", "DescribeVolumes", "AttachVolume",
        "DescribeVolumes", "DescribeVolumes", "ModifyInstanceAttribute");
    assertThat(body("CreateVolume")).contains("AvailabilityZone=us-east-1a", "Size=100",
        "VolumeType=gp3", "TagSpecification.1.ResourceType=volume",
        "TagSpecification.1.Tag.1.Key=aether:project", "TagSpecification.1.Tag.1.Value=demo");
    // /dev/sdf is taken by another volume of this instance: the next free name.
    assertThat(body("AttachVolume")).contains("VolumeId=" + VOLUME, "InstanceId=" + INSTANCE,
        "Device=/dev/sdg");
    assertThat(body("ModifyInstanceAttribute")).contains("InstanceId=" + INSTANCE,
        "BlockDeviceMapping.1.DeviceName=/dev/sdg", "BlockDeviceMapping.1.Ebs.VolumeId=" + VOLUME,
        "BlockDeviceMapping.1.Ebs.DeleteOnTermination=true");
    assertThat(host.commands).containsExactly(
        List.of("blkid", "-p", NVME.toString()),
        List.of("mkfs.ext4", "-q", NVME.toString()),
        List.of("mount", NVME.toString(), mountPoint.toString()));
    assertThat(host.deviceLookups).containsOnly(VOLUME + " /dev/sdg");
    assertThat(mountPoint).isDirectory();
  }

  @Test
  void keepsAFileSystemThatIsAlreadyThere() {
    host.blkidExit = 0;

    attacher().attach(new AttachStorageRequest(100, "scratch"));

    assertThat(host.commands).extracting(c -> c.get(0)).containsExactly("blkid", "mount");
  }

  @Test
  void aMountedFolderIsLeftAloneWithoutAnyCall() {
    host.mounted.add(mnt.resolve("scratch"));

    VolumeAttacher.Attached a = attacher().attach(new AttachStorageRequest(100, "scratch"));

    assertThat(a.volumeId()).isEmpty();
    assertThat(aws.server.getAllServeEvents()).isEmpty();
    assertThat(host.commands).isEmpty();
  }

  @Test
  void aFailedAttachDeletesTheNewVolume() {
    aws.server.stubFor(AwsStubs.ec2("AttachVolume", null).willReturn(AwsStubs.ec2Error(400,
        "IncorrectState", "vol-0123456789abcdef0 is not 'available'.")));
    aws.server.stubFor(AwsStubs.ec2("DeleteVolume", null).willReturn(aResponse().withStatus(200)
        .withBody("<DeleteVolumeResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            + "<requestId>r</requestId><return>true</return></DeleteVolumeResponse>")));

    assertThatThrownBy(() -> attacher().attach(new AttachStorageRequest(10, "scratch")))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("attaching " + VOLUME)
        .hasMessageContaining("IncorrectState");
    assertThat(body("DeleteVolume")).contains("VolumeId=" + VOLUME);
    assertThat(host.commands).isEmpty();
  }

  @Test
  void findsTheProjectInTheInstancesTag() {
    assertThat(VolumeAttacher.projectOf(ec2, INSTANCE)).isEqualTo("demo");
    assertThat(body("DescribeTags")).contains("Filter.1.Name=resource-id",
        "Filter.1.Value.1=" + INSTANCE, "Filter.2.Name=key", "Filter.2.Value.1=aether:project");
  }

  @Test
  void readsTheNodeFromTheMetadataService() {
    aws.server.stubFor(put(urlEqualTo("/latest/api/token")).willReturn(aResponse()
        .withStatus(200).withBody("t").withHeader("X-aws-ec2-metadata-token-ttl-seconds", "300")));
    imds("/latest/meta-data/instance-id", INSTANCE);
    imds("/latest/meta-data/placement/availability-zone", "us-east-1a");
    imds("/latest/meta-data/placement/region", "us-east-1");

    assertThat(AttachStorageNode.fromImds(URI.create(aws.server.baseUrl()))).isEqualTo(NODE);

    imds("/latest/meta-data/instance-id", "i-0abc; rm -rf /");
    assertThatThrownBy(() -> AttachStorageNode.fromImds(URI.create(aws.server.baseUrl())))
        .isInstanceOf(AetherException.class).hasMessageContaining("unexpected instance id")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.UNEXPECTED_STATE);
  }

  @Test
  void offEc2ItSaysItNeedsACloudNode() {
    assertThatThrownBy(() -> AttachStorageNode.fromImds(URI.create("http://127.0.0.1:9")))
        .isInstanceOf(AetherException.class).hasMessageContaining("needs a cloud node")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  private void imds(String path, String value) {
    aws.server.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
        .withBody(value)));
  }

  /** Records what would be run; answers as a node with an NVMe device for the volume. */
  private static final class FakeHost implements AttachStorageHost {
    final Set<Path> mounted = new HashSet<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> deviceLookups = new ArrayList<>();
    int blkidExit = 2;
    private int lookups;

    @Override
    public boolean isMounted(Path folder) {
      return mounted.contains(folder);
    }

    @Override
    public Optional<Path> device(String volumeId, String requestedName) {
      deviceLookups.add(volumeId + " " + requestedName);
      // the kernel shows the disk a moment after EC2 says it is attached
      return ++lookups < 2 ? Optional.empty() : Optional.of(NVME);
    }

    @Override
    public Result run(List<String> argv) {
      commands.add(argv);
      return new Result(argv.get(0).equals("blkid") ? blkidExit : 0, "");
    }

    @Override
    public AutoCloseable lock() {
      return () -> {};
    }
  }
}
