package dev.aether.providers.azure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The names and ids of everything Aether makes on Azure for a project, derived from the project,
 * subscription and region alone, so that the launcher, the nodes and {@code aether down} all find
 * the same things without a list to keep:
 *
 * <pre>
 * resource group aether-data                    kept: one storage account per region
 *   storage account aether&lt;18 hex&gt;             (sha-256 of subscription/region; global names)
 *     container &lt;project&gt;                      the project bucket, results included
 * resource group aether-&lt;project&gt;              deleted by aether down
 *   user-assigned identity aether-node           the nodes' managed identity
 *   network security group aether-nsg            the coordinator port from the VNet, nothing else
 *   virtual network aether-vnet, subnet nodes
 *   VMs aether-c-&lt;random&gt; (coordinator), aether-w-&lt;random&gt; (workers), their NICs and disks
 * </pre>
 *
 * Name rules: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
record AzureNames(String subscription, String region, String project) {
  static final String DATA_GROUP = "aether-data";
  static final String IDENTITY = "aether-node";
  static final String NSG = "aether-nsg";
  static final String VNET = "aether-vnet";
  static final String SUBNET = "nodes";
  static final String VNET_PREFIX = "10.42.0.0/16";
  static final String SUBNET_PREFIX = "10.42.0.0/20";
  /** Built-in role ids, the same in every tenant. See
   * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles */
  static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
  static final String BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

  /** Tags on everything of the project (Azure allows ':' in tag names). */
  static final String PROJECT_TAG = "aether:project";
  /** The VM's prov.psv line, so a later list knows what a node was started as. */
  static final String INSTANCE_TAG = "aether:instance";
  static final String ROLE_TAG = "aether:role";
  static final String COORDINATOR = "coordinator";
  static final String WORKER = "worker";

  private static final SecureRandom RANDOM = new SecureRandom();

  String group() {
    return "aether-" + project;
  }

  /** The region's storage account: 24 lower-case letters and digits, unique to this subscription. */
  String account() {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((subscription + "/" + region).getBytes(StandardCharsets.UTF_8));
      return StorageNames.account("aether" + HexFormat.of().formatHex(hash).substring(0, 18));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String container() {
    return project;
  }

  String subscriptionId() {
    return "/subscriptions/" + subscription;
  }

  String groupId() {
    return subscriptionId() + "/resourceGroups/" + group();
  }

  String identityId() {
    return groupId() + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + IDENTITY;
  }

  String subnetId() {
    return groupId() + "/providers/Microsoft.Network/virtualNetworks/" + VNET + "/subnets/"
        + SUBNET;
  }

  String accountId() {
    return subscriptionId() + "/resourceGroups/" + DATA_GROUP
        + "/providers/Microsoft.Storage/storageAccounts/" + account();
  }

  /** The container as a role-assignment scope: the nodes may touch this project's blobs only. */
  String containerScope() {
    return accountId() + "/blobServices/default/containers/" + container();
  }

  String vmId(String vm) {
    return groupId() + "/providers/Microsoft.Compute/virtualMachines/" + vm;
  }

  String roleDefinition(String role) {
    return subscriptionId() + "/providers/Microsoft.Authorization/roleDefinitions/" + role;
  }

  /**
   * The name of the assignment of {@code role} at {@code scope} to the project's identity: the
   * same every time (so making it again changes nothing, and down can delete it by name).
   */
  String assignment(String scope, String role) {
    return UUID.nameUUIDFromBytes((scope + "|" + role + "|" + identityId())
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** A new VM name, e.g. {@code aether-w-3k9x0q2m7a} (also its host name, at most 64). */
  static String newVm(String role) {
    String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(role.equals(COORDINATOR) ? "aether-c-" : "aether-w-");
    for (int i = 0; i < 10; i++) {
      b.append(chars.charAt(RANDOM.nextInt(chars.length())));
    }
    return b.toString();
  }
}
