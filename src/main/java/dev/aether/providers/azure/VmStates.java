package dev.aether.providers.azure;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Azure VM states in the provider boundary's words: the one table. A VM has a provisioning state
 * (what ARM is doing to it) and, once it exists, a power state (what it runs); both come in its
 * instance view as status codes {@code ProvisioningState/<s>[/<reason>]} and
 * {@code PowerState/<s>}. See https://learn.microsoft.com/azure/virtual-machines/states-billing
 *
 * <p>Rule: a provisioning state that ends the VM (deleting, failed, canceled) wins over the power
 * state; otherwise the power state says it, and before there is one the provisioning state does.
 * A Spot VM evicted with policy Delete simply disappears (404), which callers read as GONE.
 */
final class VmStates {
  private static final Map<String, NodeState> TABLE = Map.ofEntries(
      Map.entry("ProvisioningState/creating", NodeState.PENDING),
      Map.entry("ProvisioningState/updating", NodeState.PENDING),
      Map.entry("ProvisioningState/migrating", NodeState.PENDING),
      Map.entry("ProvisioningState/succeeded", NodeState.RUNNING),
      Map.entry("ProvisioningState/deleting", NodeState.STOPPING),
      // a failed or canceled creation runs nothing (it is deleted when seen, see AzureMachines)
      Map.entry("ProvisioningState/failed", NodeState.GONE),
      Map.entry("ProvisioningState/canceled", NodeState.GONE),
      Map.entry("PowerState/starting", NodeState.PENDING),
      Map.entry("PowerState/running", NodeState.RUNNING),
      Map.entry("PowerState/stopping", NodeState.STOPPING),
      Map.entry("PowerState/deallocating", NodeState.STOPPING),
      // stopped from inside the guest: runs nothing, though still billed until deleted
      Map.entry("PowerState/stopped", NodeState.GONE),
      Map.entry("PowerState/deallocated", NodeState.GONE),
      Map.entry("PowerState/unknown", NodeState.PENDING));
  private static final List<String> ENDING = List.of("ProvisioningState/deleting",
      "ProvisioningState/failed", "ProvisioningState/canceled");

  private VmStates() {}

  /**
   * @param provisioningState the VM's {@code provisioningState} property (Creating, Succeeded,
   *     ...), when given
   * @param codes the status codes of its instance view, when it was asked for
   */
  static NodeState of(Optional<String> provisioningState, List<String> codes) {
    Optional<String> provisioning = codes.stream().filter(c -> c.startsWith("ProvisioningState/"))
        .map(VmStates::base).findFirst()
        .or(() -> provisioningState.map(s -> "ProvisioningState/" + s.toLowerCase(Locale.ROOT)));
    Optional<String> power = codes.stream().filter(c -> c.startsWith("PowerState/"))
        .map(VmStates::base).findFirst();
    if (provisioning.isPresent() && ENDING.contains(provisioning.get())) {
      return lookUp(provisioning.get());
    }
    if (power.isPresent()) {
      return lookUp(power.get());
    }
    if (provisioning.isPresent()) {
      return lookUp(provisioning.get());
    }
    return NodeState.PENDING; // just asked for: ARM has said nothing yet
  }

  /** {@code ProvisioningState/failed/AllocationFailed} -> {@code ProvisioningState/failed}. */
  private static String base(String code) {
    String[] parts = code.split("/");
    return parts.length < 2 ? code : parts[0] + "/" + parts[1].toLowerCase(Locale.ROOT);
  }

  private static NodeState lookUp(String code) {
    NodeState s = TABLE.get(code);
    if (s == null) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "Azure reported a VM state Aether does not know: " + code);
    }
    return s;
  }
}
