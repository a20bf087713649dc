package dev.aether.providers.local;

import dev.aether.core.spi.FolderStorage;
import java.nio.file.Path;

/** The local provider's bucket: a folder on this machine (see {@link FolderStorage}). */
public final class LocalStorage extends FolderStorage {
  public LocalStorage(Path root) {
    super(root);
  }
}
