package dev.aether.core.project;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Which provider (and region) a project last ran on, kept beside its ledger so that
 * {@code aether status} and {@code aether down} reopen the right one without being told.
 *
 * @param provider the provider's name, e.g. {@code aws}
 * @param region its region, empty for providers without regions
 */
public record ProviderRecord(String provider, String region) {
  private static final String FILE = "provider.properties";

  /** The record of project {@code name}, when it has run. */
  public static Optional<ProviderRecord> read(ProjectDirs dirs, String name) {
    Path file = dirs.work(name).resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(file)));
    } catch (IOException e) {
      throw new AetherException(AetherException.ERROR, "cannot read " + file + ": "
          + e.getMessage(), e);
    }
    return Optional.of(new ProviderRecord(p.getProperty("provider", "local"),
        p.getProperty("region", "")));
  }

  public void write(ProjectDirs dirs, String name) {
    Properties p = new Properties();
    p.setProperty("provider", provider);
    p.setProperty("region", region);
    StringWriter w = new StringWriter();
    try {
      p.store(w, "written by aether: where project " + name + " last ran");
      Files.createDirectories(dirs.work(name));
      Files.writeString(dirs.work(name).resolve(FILE), w.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
