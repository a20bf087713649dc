package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.net.URI;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/**
 * The EC2 instance {@code attach-storage} runs on, read from the instance metadata service
 * (IMDSv2): its id, and the zone and region a new volume must be made in (a volume attaches only
 * to an instance in its own zone). The answers are checked against the shapes AWS documents
 * before use: they end up in API calls and file names.
 */
record AttachStorageNode(String instanceId, String zone, String region) {
  private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,32}");
  private static final Pattern ZONE = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+[a-z]");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  AttachStorageNode {
    check(instanceId, INSTANCE, "instance id");
    check(zone, ZONE, "availability zone");
    check(region, REGION, "region");
  }

  /**
   * Asks the metadata service at {@code imds}. Off EC2 (a laptop, the local provider) nothing
   * answers there: invalid input (exit 2) that says attach-storage needs a cloud node.
   */
  static AttachStorageNode fromImds(URI imds) {
    try (Ec2MetadataClient client = Imds.client(imds)) {
      return new AttachStorageNode(
          client.get("/latest/meta-data/instance-id").asString().strip(),
          client.get("/latest/meta-data/placement/availability-zone").asString().strip(),
          client.get("/latest/meta-data/placement/region").asString().strip());
    } catch (SdkClientException e) {
      throw AetherException.invalidInput("attach-storage needs a cloud node started by aether"
          + " (an EC2 instance): the instance metadata service at " + imds + " did not answer ("
          + e.getMessage() + "). On the local provider, write to a folder of this machine.");
    }
  }

  private static void check(String value, Pattern shape, String what) {
    if (value == null || !shape.matcher(value).matches()) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "the instance metadata service gave an unexpected " + what + ": '" + value + "'");
    }
  }
}
