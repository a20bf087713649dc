package dev.aether.providers.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import dev.aether.core.AetherException;
import java.util.Optional;
import java.util.Set;

/**
 * The one place where Azure Resource Manager errors become {@link AetherException}s that say what
 * was tried, why it failed and what to do. Error codes:
 * https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors
 * and https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/allocation-failure
 */
final class ArmErrors {
  private static final Set<String> DENIED = Set.of("AuthorizationFailed",
      "LinkedAuthorizationFailed", "InvalidAuthenticationToken", "ExpiredAuthenticationToken",
      "InvalidAuthenticationTokenTenant");
  private static final Set<String> CAPACITY = Set.of("AllocationFailed", "ZonalAllocationFailed",
      "OverconstrainedAllocationRequest", "OverconstrainedZonalAllocationRequest",
      "SkuNotAvailable");

  private ArmErrors() {}

  /** The error code Azure answered with, or {@code HTTP <status>}; empty for other errors. */
  static String code(RuntimeException e) {
    if (e instanceof ManagementException m && m.getValue() != null
        && m.getValue().getCode() != null) {
      return m.getValue().getCode();
    }
    if (e instanceof HttpResponseException h && h.getResponse() != null) {
      return "HTTP " + h.getResponse().getStatusCode();
    }
    return "";
  }

  static int status(RuntimeException e) {
    return e instanceof HttpResponseException h && h.getResponse() != null
        ? h.getResponse().getStatusCode() : 0;
  }

  static boolean notFound(RuntimeException e) {
    return status(e) == 404;
  }

  /** @param what what we were doing: "starting Standard_D2s_v5 (Spot) in eastus" */
  static AetherException translate(String what, RuntimeException e) {
    String head = "Failed " + what + ": ";
    if (e instanceof ClientAuthenticationException) {
      return new AetherException(AetherException.ERROR, head + "no Azure login ("
          + firstLine(e.getMessage()) + "). Run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID"
          + " and AZURE_CLIENT_SECRET for a service principal; see docs/azure.md.", e);
    }
    if (!(e instanceof HttpResponseException)) {
      return new AetherException(AetherException.ERROR, head + "could not reach Azure ("
          + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
          + "); check the network and try again.", e);
    }
    String code = code(e);
    String detail = Optional.of(e).filter(ManagementException.class::isInstance)
        .map(m -> ((ManagementException) m).getValue()).map(ArmErrors::message)
        .orElse(firstLine(e.getMessage()));
    String azure = " (Azure " + code + (detail.isBlank() ? "" : ": " + detail) + ")";
    if (DENIED.contains(code)) {
      return new AetherException(AetherException.ERROR, head + "Azure refused the login's"
          + " permissions" + azure + ". Grant the roles listed in docs/azure.md.", e);
    }
    if (CAPACITY.contains(code)) {
      return new AetherException(AetherException.ERROR, head + "Azure has no capacity of this"
          + " size here right now" + azure + ". Run again later, or bid again so another size is"
          + " chosen.", e);
    }
    if (code.equals("OperationNotAllowed") && detail.toLowerCase().contains("quota")) {
      return new AetherException(AetherException.ERROR, head + "the subscription's vCPU quota is"
          + " used up" + azure + ". Ask for more in the portal (Quotas), stop other VMs, or plan"
          + " fewer vCPUs.", e);
    }
    switch (code) {
      case "MissingSubscriptionRegistration":
        return new AetherException(AetherException.ERROR, head + "a resource provider is not"
            + " registered in this subscription" + azure + ". Register it once with"
            + " `az provider register --namespace <the namespace named above>`.", e);
      case "SubscriptionNotFound", "InvalidSubscriptionId":
        return AetherException.invalidInput(head + "no such subscription" + azure
            + "; check --subscription or `az account show`.");
      case "StorageAccountAlreadyTaken":
        return new AetherException(AetherException.UNEXPECTED_STATE, head + "the storage account"
            + " name is taken by someone else" + azure + "; storage account names are global.", e);
      case "TooManyRequests", "Throttled":
        return new AetherException(AetherException.ERROR, head + "Azure kept throttling our"
            + " requests" + azure + ". Wait a minute and run again.", e);
      default:
        return new AetherException(AetherException.ERROR, head + code
            + (detail.isBlank() ? "" : ": " + detail), e);
    }
  }

  private static String message(ManagementError error) {
    StringBuilder b = new StringBuilder(error.getMessage() == null ? "" : error.getMessage());
    if (error.getDetails() != null) {
      for (ManagementError d : error.getDetails()) {
        if (d.getMessage() != null) {
          b.append(b.length() == 0 ? "" : " ").append(d.getMessage());
        }
      }
    }
    return firstLine(b.toString());
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }
}
