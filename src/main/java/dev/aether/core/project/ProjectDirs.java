package dev.aether.core.project;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Aether keeps projects on the launching machine.
 *
 * <pre>
 * $AETHER_HOME                 default ~/.aether
 *   projects/&lt;name&gt;/          the local provider's bucket (script/ bin/ data/ args.txt prov.psv
 *                              output/ logs/ state/)
 *   work/&lt;name&gt;/              private to the launcher: ledger.db (the live job ledger), lock,
 *                              nodes/&lt;node&gt;/ (local agents' job folders and agent.log)
 * </pre>
 *
 * The live ledger is kept out of the bucket; the bucket's {@code state/ledger.db} is a checkpoint.
 */
public record ProjectDirs(Path home) {
  /** {@code home} when given (an {@code --aether-home} option), else {@link #fromEnvironment()}. */
  public static ProjectDirs of(Path home) {
    return home != null ? new ProjectDirs(home) : fromEnvironment();
  }

  /** {@code $AETHER_HOME}, else {@code ~/.aether}. */
  public static ProjectDirs fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  public static ProjectDirs fromEnvironment(Map<String, String> env) {
    String home = env.get("AETHER_HOME");
    if (home != null && !home.isBlank()) {
      return new ProjectDirs(Path.of(home));
    }
    return new ProjectDirs(Path.of(System.getProperty("user.home"), ".aether"));
  }

  public Path projects() {
    return home.resolve("projects");
  }

  /** The local provider's bucket for project {@code name}. */
  public Path bucket(String name) {
    return projects().resolve(ProjectName.check(name));
  }

  /** The launcher's private folder for project {@code name} (ledger, local node folders). */
  public Path work(String name) {
    return home.resolve("work").resolve(ProjectName.check(name));
  }

  public Path ledger(String name) {
    return work(name).resolve("ledger.db");
  }

}
