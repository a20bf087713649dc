package dev.aether.providers.azure;

import dev.aether.core.AetherException;
import java.util.regex.Pattern;

/**
 * Azure's rule for storage account names, checked here so a bad name fails before any call to
 * Azure. (Container names are project names: {@link dev.aether.core.project.ProjectName} holds
 * the one rule, which Azure's container rule admits.)
 *
 * <p>Storage accounts: 3 to 24 lower-case letters and digits, unique across Azure. See
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftstorage
 */
final class StorageNames {
  private static final Pattern ACCOUNT = Pattern.compile("^[a-z0-9]{3,24}$");

  private StorageNames() {}

  /** Throws an exit-2 error when {@code name} cannot be a storage account name. */
  static String account(String name) {
    if (name == null || !ACCOUNT.matcher(name).matches()) {
      throw AetherException.invalidInput("Storage account name '" + name + "' is not valid on"
          + " Azure: it must be 3 to 24 lower-case letters and digits.");
    }
    return name;
  }
}
