package dev.aether.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A jar like target/aether.jar without packaging: a manifest whose Class-Path is this test's
 * class path and whose Main-Class is aether's, for tests that run {@code java -jar aether.jar}.
 */
public final class ClassPathJar {
  private ClassPathJar() {}

  public static Path write(Path file) throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(Attributes.Name.MAIN_CLASS, "dev.aether.cli.Main");
    StringBuilder cp = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      cp.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
    }
    a.put(Attributes.Name.CLASS_PATH, cp.toString().trim());
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out, m)) {
      // the manifest is all it needs
    }
    return file;
  }
}
