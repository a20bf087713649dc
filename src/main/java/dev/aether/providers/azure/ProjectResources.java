package dev.aether.providers.azure;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.models.PrincipalType;
import com.azure.resourcemanager.authorization.models.RoleAssignmentCreateParameters;
import com.azure.resourcemanager.msi.fluent.models.IdentityInner;
import com.azure.resourcemanager.network.fluent.models.NetworkSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.SecurityRuleInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import com.azure.resourcemanager.network.models.AddressSpace;
import com.azure.resourcemanager.network.models.SecurityRuleAccess;
import com.azure.resourcemanager.network.models.SecurityRuleDirection;
import com.azure.resourcemanager.network.models.SecurityRuleProtocol;
import com.azure.resourcemanager.network.models.ServiceEndpointPropertiesFormat;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import com.azure.resourcemanager.storage.models.AccessTier;
import com.azure.resourcemanager.storage.models.Kind;
import com.azure.resourcemanager.storage.models.MinimumTlsVersion;
import com.azure.resourcemanager.storage.models.Sku;
import com.azure.resourcemanager.storage.models.SkuName;
import com.azure.resourcemanager.storage.models.StorageAccountCheckNameAvailabilityParameters;
import com.azure.resourcemanager.storage.models.StorageAccountCreateParameters;
import dev.aether.core.AetherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the launcher makes on Azure before a batch, idempotently (each step is a PUT of the same
 * thing, or skipped when it is there): see {@link AzureNames} for the layout.
 *
 * <ul>
 *   <li>{@link #ensureStorage}: the resource group {@code aether-data} and the region's storage
 *       account (StorageV2, LRS, HTTPS and TLS 1.2 only, no public blobs, <em>shared keys
 *       disabled</em>: only Entra ID logins and managed identities get in).
 *   <li>{@link #ensureProject}: the project's resource group (tagged), its user-assigned managed
 *       identity with two roles (Contributor on the project's group, so the coordinator can start
 *       workers and a node can delete itself; Storage Blob Data Contributor on the project's
 *       container only), the network security group (inbound: the coordinator port from the
 *       virtual network, then deny everything; no SSH, no public address) and the virtual
 *       network whose one subnet uses it.
 * </ul>
 */
final class ProjectResources {
  /** Azure Resource Manager refuses an NSG rule priority outside 100..4096. */
  static final int ALLOW_PRIORITY = 100;
  static final int DENY_PRIORITY = 4096;
  private static final Duration LRO_LIMIT = Duration.ofMinutes(10);

  private final Arm arm;
  private final AzureNames names;
  private final int port;

  ProjectResources(Arm arm, AzureNames names, int port) {
    this.arm = arm;
    this.names = names;
    this.port = port;
  }

  void ensureStorage() {
    String doing = "making the resource group " + AzureNames.DATA_GROUP;
    try {
      ensureGroup(AzureNames.DATA_GROUP, Map.of("aether:purpose", "project containers and results"));
      String account = names.account();
      doing = "making the storage account " + account + " in " + AzureNames.DATA_GROUP;
      if (exists(() -> arm.storage().getStorageAccounts().getByResourceGroup(
          AzureNames.DATA_GROUP, account))) {
        return;
      }
      var available = arm.storage().getStorageAccounts().checkNameAvailability(
          new StorageAccountCheckNameAvailabilityParameters().withName(account));
      if (!Boolean.TRUE.equals(available.nameAvailable())) {
        throw new AetherException(AetherException.UNEXPECTED_STATE, "The storage account name "
            + account + " Aether derives for subscription " + names.subscription() + " in "
            + names.region() + " is taken (" + available.message() + "), but not by"
            + " the resource group " + AzureNames.DATA_GROUP + " of this subscription; move that"
            + " account there, or delete it.");
      }
      Arm.finish(arm.storage().getStorageAccounts().beginCreate(AzureNames.DATA_GROUP, account,
          new StorageAccountCreateParameters()
              .withSku(new Sku().withName(SkuName.STANDARD_LRS))
              .withKind(Kind.STORAGE_V2)
              .withLocation(names.region())
              .withTags(Map.of("aether:purpose", "project containers and results"))
              .withAccessTier(AccessTier.HOT)
              .withEnableHttpsTrafficOnly(true)
              .withMinimumTlsVersion(MinimumTlsVersion.TLS1_2)
              .withAllowBlobPublicAccess(false)
              .withAllowSharedKeyAccess(false)), LRO_LIMIT);
    } catch (AetherException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ArmErrors.translate(doing, e);
    }
  }

  /** @return the identity's client id (what the nodes' SDK asks the metadata service for) */
  String ensureProject() {
    String doing = "making the resource group " + names.group();
    try {
      ensureGroup(names.group(), Map.of(AzureNames.PROJECT_TAG, names.project()));
      doing = "making the managed identity " + AzureNames.IDENTITY + " in " + names.group();
      IdentityInner wanted = new IdentityInner();
      wanted.withLocation(names.region()).withTags(tags());
      IdentityInner identity = arm.msi().getUserAssignedIdentities().createOrUpdate(names.group(),
          AzureNames.IDENTITY, wanted);
      String principal = identity.principalId().toString();
      doing = "letting the nodes' identity manage " + names.group();
      assign(names.groupId(), AzureNames.CONTRIBUTOR, principal);
      doing = "letting the nodes' identity use the container " + names.container();
      assign(names.containerScope(), AzureNames.BLOB_DATA_CONTRIBUTOR, principal);
      doing = "making the network security group " + AzureNames.NSG;
      Arm.finish(arm.network().getNetworkSecurityGroups()
          .beginCreateOrUpdate(names.group(), AzureNames.NSG, nsg()), LRO_LIMIT);
      doing = "making the virtual network " + AzureNames.VNET;
      Arm.finish(arm.network().getVirtualNetworks()
          .beginCreateOrUpdate(names.group(), AzureNames.VNET, vnet()), LRO_LIMIT);
      return identity.clientId().toString();
    } catch (RuntimeException e) {
      throw ArmErrors.translate(doing + " for project " + names.project(), e);
    }
  }

  /** Deletes the container-scoped role assignment (the group-scoped one goes with the group). */
  void deleteContainerAssignment() {
    try {
      arm.authorization().getRoleAssignments().delete(scope(names.containerScope()),
          names.assignment(names.containerScope(), AzureNames.BLOB_DATA_CONTRIBUTOR));
    } catch (RuntimeException e) {
      if (!ArmErrors.notFound(e)) {
        throw ArmErrors.translate("deleting the nodes' access to container " + names.container(),
            e);
      }
    }
  }

  private void ensureGroup(String group, Map<String, String> tags) {
    // a PUT of an existing group in another region fails: only make it when it is missing
    if (!arm.resources().getResourceGroups().checkExistence(group)) {
      arm.resources().getResourceGroups().createOrUpdate(group,
          new ResourceGroupInner().withLocation(names.region()).withTags(tags));
    }
  }

  private void assign(String scope, String role, String principal) {
    try {
      arm.authorization().getRoleAssignments().create(scope(scope), names.assignment(scope, role),
          new RoleAssignmentCreateParameters()
              .withRoleDefinitionId(names.roleDefinition(role))
              .withPrincipalId(principal)
              // said at once, so Azure does not look up a principal that is seconds old
              .withPrincipalType(PrincipalType.SERVICE_PRINCIPAL));
    } catch (ManagementException e) {
      if (!"RoleAssignmentExists".equals(ArmErrors.code(e))) {
        throw e;
      }
    }
  }

  /** The SDK puts a '/' before the scope it is given: give it one without. */
  private static String scope(String id) {
    return id.replaceFirst("^/+", "");
  }

  private NetworkSecurityGroupInner nsg() {
    SecurityRuleInner coordinator = new SecurityRuleInner()
        .withName("aether-coordinator-from-vnet")
        .withDescription("The Aether coordinator's port, from the project's virtual network only")
        .withProtocol(SecurityRuleProtocol.TCP)
        .withSourceAddressPrefix("VirtualNetwork").withSourcePortRange("*")
        .withDestinationAddressPrefix("*").withDestinationPortRange(Integer.toString(port))
        .withAccess(SecurityRuleAccess.ALLOW).withPriority(ALLOW_PRIORITY)
        .withDirection(SecurityRuleDirection.INBOUND);
    // Azure's default rules admit all traffic inside the virtual network; this one goes first.
    SecurityRuleInner denyRest = new SecurityRuleInner()
        .withName("aether-deny-other-inbound")
        .withDescription("Nothing else comes in, not even from the virtual network")
        .withProtocol(SecurityRuleProtocol.ASTERISK)
        .withSourceAddressPrefix("*").withSourcePortRange("*")
        .withDestinationAddressPrefix("*").withDestinationPortRange("*")
        .withAccess(SecurityRuleAccess.DENY).withPriority(DENY_PRIORITY)
        .withDirection(SecurityRuleDirection.INBOUND);
    NetworkSecurityGroupInner nsg = new NetworkSecurityGroupInner()
        .withSecurityRules(List.of(coordinator, denyRest));
    nsg.withLocation(names.region()).withTags(tags());
    return nsg;
  }

  private VirtualNetworkInner vnet() {
    SubnetInner subnet = new SubnetInner().withName(AzureNames.SUBNET)
        .withAddressPrefix(AzureNames.SUBNET_PREFIX)
        .withNetworkSecurityGroup(new NetworkSecurityGroupInner().withId(names.groupId()
            + "/providers/Microsoft.Network/networkSecurityGroups/" + AzureNames.NSG))
        // nodes need outbound (packages, storage, ARM) and have no public address: keep
        // Azure's default outbound access, which new subnets no longer get unless asked
        .withDefaultOutboundAccess(true)
        .withServiceEndpoints(List.of(new ServiceEndpointPropertiesFormat()
            .withService("Microsoft.Storage")));
    VirtualNetworkInner vnet = new VirtualNetworkInner()
        .withAddressSpace(new AddressSpace().withAddressPrefixes(List.of(AzureNames.VNET_PREFIX)))
        .withSubnets(List.of(subnet));
    vnet.withLocation(names.region()).withTags(tags());
    return vnet;
  }

  private Map<String, String> tags() {
    return Map.of(AzureNames.PROJECT_TAG, names.project());
  }

  private static boolean exists(Runnable get) {
    try {
      get.run();
      return true;
    } catch (RuntimeException e) {
      if (ArmErrors.notFound(e)) {
        return false;
      }
      throw e;
    }
  }
}
