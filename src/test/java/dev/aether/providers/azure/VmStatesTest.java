package dev.aether.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmStatesTest {
  /** provisioningState property; instance view codes ('+'-separated, '-' for none); state. */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "Creating,  -,                                                          PENDING",
    "Succeeded, -,                                                          RUNNING",
    "Deleting,  -,                                                          STOPPING",
    "Failed,    -,                                                          GONE",
    "-,         -,                                                          PENDING",
    "Creating,  ProvisioningState/creating,                                 PENDING",
    "Creating,  ProvisioningState/creating+PowerState/starting,             PENDING",
    "Succeeded, ProvisioningState/succeeded+PowerState/running,             RUNNING",
    "Updating,  ProvisioningState/updating+PowerState/running,              RUNNING",
    "Succeeded, ProvisioningState/succeeded+PowerState/stopping,            STOPPING",
    "Succeeded, ProvisioningState/succeeded+PowerState/deallocating,        STOPPING",
    // a guest that shut down runs nothing (it is still billed: Aether deletes, never stops)
    "Succeeded, ProvisioningState/succeeded+PowerState/stopped,             GONE",
    "Succeeded, ProvisioningState/succeeded+PowerState/deallocated,         GONE",
    // what ARM is doing to the VM wins over what it still runs
    "Deleting,  ProvisioningState/deleting+PowerState/running,              STOPPING",
    "Failed,    ProvisioningState/failed/AllocationFailed+PowerState/running, GONE",
    "Canceled,  ProvisioningState/canceled,                                 GONE"})
  void mapsAzureStatesOntoTheBoundarysFourInOneTable(String provisioning, String codes,
      NodeState expected) {
    Optional<String> p = provisioning.equals("-") ? Optional.empty() : Optional.of(provisioning);
    List<String> c = codes.equals("-") ? List.of() : Arrays.asList(codes.split("\\+"));
    assertThat(VmStates.of(p, c)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"PowerState/hibernated", "ProvisioningState/teleporting"})
  void aStateAzureMayAddOneDayIsAnUnexpectedStateNotAGuess(String code) {
    assertThatThrownBy(() -> VmStates.of(Optional.empty(), List.of(code)))
        .isInstanceOf(AetherException.class).hasMessageContaining(code)
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.UNEXPECTED_STATE);
  }
}
