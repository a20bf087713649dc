package dev.aether.core.bidder;

import com.google.ortools.Loader;

/** Loads OR-Tools' native library once per process (about 0.4 s the first time). */
final class Natives {
  private static volatile boolean loaded;

  private Natives() {}

  static void load() {
    if (!loaded) {
      synchronized (Natives.class) {
        if (!loaded) {
          Loader.loadNativeLibraries();
          loaded = true;
        }
      }
    }
  }
}
