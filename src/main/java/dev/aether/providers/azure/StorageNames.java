package dev.aether.providers.azure;

import dev.aether.core.AetherException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Azure's rules for Blob container and storage account names, checked here so a bad name fails
 * before any call to Azure, with the rule it broke.
 *
 * <p>Containers: 3 to 63 characters; lower-case letters, digits and '-'; a letter or digit first
 * and last; no two hyphens in a row. Stricter than S3's bucket names in one way: no '.'. See
 * https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names
 *
 * <p>Storage accounts: 3 to 24 lower-case letters and digits, unique across Azure. See
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftstorage
 */
final class StorageNames {
  private static final Pattern CHARS = Pattern.compile("^[a-z0-9-]+$");
  private static final Pattern ACCOUNT = Pattern.compile("^[a-z0-9]{3,24}$");

  private StorageNames() {}

  /** Throws an exit-2 error naming the rule when {@code name} cannot be a container name. */
  static String container(String name) {
    containerProblem(name).ifPresent(p -> {
      throw AetherException.invalidInput(
          "Project name '" + name + "' cannot name an Azure Blob container: " + p
              + ". Pick another -N/--name (3-63 lower-case letters, digits and single '-').");
    });
    return name;
  }

  static Optional<String> containerProblem(String name) {
    if (name == null || name.length() < 3 || name.length() > 63) {
      return Optional.of("it must be 3 to 63 characters long");
    }
    if (!CHARS.matcher(name).matches()) {
      return Optional.of("only lower-case letters, digits and '-' are allowed");
    }
    if (name.startsWith("-") || name.endsWith("-")) {
      return Optional.of("it must begin and end with a letter or digit");
    }
    if (name.contains("--")) {
      return Optional.of("it must not have two hyphens in a row");
    }
    return Optional.empty();
  }

  /** Throws an exit-2 error when {@code name} cannot be a storage account name. */
  static String account(String name) {
    if (name == null || !ACCOUNT.matcher(name).matches()) {
      throw AetherException.invalidInput("Storage account name '" + name + "' is not valid on"
          + " Azure: it must be 3 to 24 lower-case letters and digits.");
    }
    return name;
  }
}
