package dev.aether.core.spi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to run {@code aether} itself as a new process on this machine (a local agent, the
 * launcher's test children): the Java binary, the class path and the main class. The CLI, which
 * owns the main class, makes it; providers only prepend it to {@code agent ...} arguments.
 *
 * @param command the words before aether's own arguments
 */
public record AetherProgram(List<String> command) {
  public AetherProgram {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command");
    }
  }

  /**
   * This JVM's Java and class path running {@code mainClass}, small and quick to start (an agent
   * holds little: the ledger lives with the coordinator).
   */
  public static AetherProgram thisJvm(String mainClass) {
    Objects.requireNonNull(mainClass, "mainClass");
    return new AetherProgram(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), mainClass));
  }

  /** The command line for these aether arguments. */
  public List<String> with(List<String> arguments) {
    List<String> all = new ArrayList<>(command);
    all.addAll(arguments);
    return all;
  }
}
