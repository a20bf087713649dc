package dev.aether.providers.ssh;

import dev.aether.core.AetherException;

/**
 * One SSH host could not be used, and why, in one line that names the host and says how to fix
 * it. The kind lets a caller tell a host that must be fixed before the batch starts (exit status
 * 2) from one that dropped while the batch runs elsewhere.
 */
final class SshException extends AetherException {
  enum Kind {
    /** Its host key is not in known_hosts: never accepted silently. */
    UNKNOWN_HOST_KEY(INVALID_INPUT),
    /** Its host key differs from the one in known_hosts. */
    CHANGED_HOST_KEY(INVALID_INPUT),
    /** The server refused the user or every key offered. */
    AUTH_REFUSED(INVALID_INPUT),
    /** No SSH server answered: timeout, refused, no route, unknown name. */
    UNREACHABLE(INVALID_INPUT),
    /** No {@code java} on the PATH a non-interactive shell gets there. */
    NO_JAVA(INVALID_INPUT),
    /** Java there is older than Aether needs. */
    OLD_JAVA(INVALID_INPUT),
    /** The connection was up and went away. */
    LOST(ERROR),
    /** Anything else ssh or the remote side reported. */
    FAILED(ERROR);

    private final int exitStatus;

    Kind(int exitStatus) {
      this.exitStatus = exitStatus;
    }

    /** A few words for a list of hosts that failed: "unknown host key", "no java". */
    String brief() {
      return switch (this) {
        case UNKNOWN_HOST_KEY -> "unknown host key";
        case CHANGED_HOST_KEY -> "changed host key";
        case AUTH_REFUSED -> "login refused";
        case UNREACHABLE -> "unreachable";
        case NO_JAVA -> "no java";
        case OLD_JAVA -> "java too old";
        case LOST -> "connection lost";
        case FAILED -> "failed";
      };
    }
  }

  private final Kind kind;

  SshException(Kind kind, String message) {
    super(kind.exitStatus, message);
    this.kind = kind;
  }

  SshException(Kind kind, String message, Throwable cause) {
    super(kind.exitStatus, message, cause);
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }
}
