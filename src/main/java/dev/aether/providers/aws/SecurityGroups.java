package dev.aether.providers.aws;

import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * The project's security group in the region's default VPC: the coordinator's port open to the
 * VPC's own addresses only, and nothing else (no SSH: nodes are reached through the coordinator,
 * and Session Manager if someone must log in). Outbound stays open (package installs, S3).
 * See https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
final class SecurityGroups {
  private final Ec2Client ec2;

  SecurityGroups(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  static String nameFor(String project) {
    return "aether-" + project;
  }

  /** The group's id in the default VPC, made (tagged in the same call) on first use. */
  String ensure(String project, int coordinatorPort, DefaultNetwork vpc) {
    String name = nameFor(project);
    List<SecurityGroup> found = ec2.describeSecurityGroups(b -> b.filters(
            filter("group-name", name), filter("vpc-id", vpc.vpcId())))
        .securityGroups();
    if (!found.isEmpty()) {
      return found.get(0).groupId();
    }
    String id = ec2.createSecurityGroup(b -> b
            .groupName(name)
            .description("Aether project " + project + ": coordinator port from the VPC only")
            .vpcId(vpc.vpcId())
            .tagSpecifications(Tags.spec(ResourceType.SECURITY_GROUP, project)))
        .groupId();
    ec2.authorizeSecurityGroupIngress(b -> b
        .groupId(id)
        .ipPermissions(IpPermission.builder()
            .ipProtocol("tcp")
            .fromPort(coordinatorPort)
            .toPort(coordinatorPort)
            .ipRanges(IpRange.builder().cidrIp(vpc.cidr()).description("Aether coordinator, VPC only").build())
            .build()));
    return id;
  }

  /** Deletes the project's group (only once no instance uses it). @return whether there was one */
  boolean delete(String project) {
    List<SecurityGroup> found = ec2.describeSecurityGroups(b -> b.filters(
            filter("group-name", nameFor(project)), filter("tag:" + Tags.PROJECT, project)))
        .securityGroups();
    for (SecurityGroup g : found) {
      ec2.deleteSecurityGroup(b -> b.groupId(g.groupId()));
    }
    return !found.isEmpty();
  }

  private static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }
}
