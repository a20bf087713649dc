package dev.aether.providers.local;

import dev.aether.core.pipeline.agent.Agent;
import dev.aether.core.pipeline.coordinator.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The agent process {@link LocalMachines} starts: a JVM of its own, so that killing it is a real
 * process kill. Options are {@code --name value} pairs (none secret); the token is the first line
 * of stdin, written by the parent and never on the command line.
 */
public final class LocalAgentMain {
  private LocalAgentMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    String token;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      token = in.readLine();
    }
    if (token == null || token.isBlank()) {
      System.err.println("aether agent: no token on stdin");
      System.exit(2);
    }
    Agent.Config config = new Agent.Config(
        URI.create(required(o, "coordinator")),
        required(o, "node"),
        Integer.parseInt(required(o, "cores")),
        Double.parseDouble(required(o, "memory-gb")),
        Path.of(required(o, "work")),
        o.getOrDefault("address", "127.0.0.1"),
        Duration.ofMillis(Long.parseLong(o.getOrDefault("lost-after-ms", "60000"))));
    int status = new Agent(config, Secret.of(token), new LocalStorage(Path.of(required(o, "bucket"))))
        .run();
    System.exit(status);
  }

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }
}
