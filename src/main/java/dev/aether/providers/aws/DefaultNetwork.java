package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Vpc;

/**
 * The region's default VPC and its default subnet in each zone, where nodes start. A zone may have
 * no default subnet (a zone AWS added after the VPC was made, or one deleted by hand); an instance
 * planned there cannot start, and the launch plans its slots in another zone. See
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
 *
 * @param vpcId the default VPC
 * @param cidr its IPv4 range (the coordinator's port is open to it only)
 * @param subnets its default subnets, one per zone that has one
 */
record DefaultNetwork(String vpcId, String cidr, List<Subnet> subnets) {
  /** The fix for a region without a default VPC. */
  static final String CREATE_VPC = "aws ec2 create-default-vpc";

  DefaultNetwork {
    subnets = List.copyOf(subnets);
  }

  /**
   * A default subnet.
   *
   * @param zone the zone's name in this account, e.g. {@code us-east-1a}
   * @param zoneId the zone's id, the same in every account, e.g. {@code use1-az1}
   */
  record Subnet(String id, String zone, String zoneId) {}

  /** The default subnet of a zone given by name or by id. */
  Optional<Subnet> inZone(String zone) {
    return subnets.stream().filter(s -> s.zone().equals(zone) || s.zoneId().equals(zone))
        .findFirst();
  }

  /** The command that makes a zone's default subnet. */
  static String createSubnet(String zone) {
    return "aws ec2 create-default-subnet --availability-zone" + (Ec2Machines.isZoneId(zone)
        ? "-id " : " ") + zone;
  }

  /** @throws AetherException when the region has no default VPC */
  static DefaultNetwork read(Ec2Client ec2) {
    return find(ec2).orElseThrow(() -> new AetherException(AetherException.UNEXPECTED_STATE,
        "This region has no default VPC, which Aether starts nodes in. Create one with `"
            + CREATE_VPC + "` (see https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html)"
            + " or pick another region with -R."));
  }

  static Optional<DefaultNetwork> find(Ec2Client ec2) {
    List<Vpc> vpcs = ec2.describeVpcs(b -> b.filters(filter("is-default", "true"))).vpcs();
    if (vpcs.isEmpty()) {
      return Optional.empty();
    }
    Vpc vpc = vpcs.get(0);
    List<Subnet> subnets = ec2.describeSubnetsPaginator(b -> b.filters(
            filter("vpc-id", vpc.vpcId()), filter("default-for-az", "true")))
        .subnets().stream()
        .map(s -> new Subnet(s.subnetId(), s.availabilityZone(), s.availabilityZoneId()))
        .toList();
    return Optional.of(new DefaultNetwork(vpc.vpcId(), vpc.cidrBlock(), subnets));
  }

  private static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }
}
