package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/**
 * Who this EC2 instance is, from the instance metadata service (IMDSv2): its id (the agent's node
 * name) and its private address (what other nodes reach it at). The endpoint is the SDK's
 * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} when set. See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 *
 * @param instanceId e.g. {@code i-0abc...}
 * @param privateIp e.g. {@code 172.31.5.10}
 */
public record NodeIdentity(String instanceId, String privateIp) {
  public static NodeIdentity fromMetadata(Map<String, String> env) {
    URI endpoint = Imds.endpoint(env);
    try (Ec2MetadataClient imds = Imds.client(endpoint)) {
      return new NodeIdentity(
          imds.get("/latest/meta-data/instance-id").asString().strip(),
          imds.get("/latest/meta-data/local-ipv4").asString().strip());
    } catch (SdkClientException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "cannot read this instance's"
          + " id and address from the instance metadata service at " + endpoint + " ("
          + e.getMessage() + "); `aether agent` and `aether coordinate` run on EC2 nodes only", e);
    }
  }
}
