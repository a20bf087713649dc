package dev.aether.core;

/**
 * The one exception type that reaches the user: a message that names the input at fault and what
 * to do, and the process exit status it maps to (mapped in one place, {@code cli.Main}).
 */
public class AetherException extends RuntimeException {
  /** Exit statuses, as documented in {@code aether --help}. */
  public static final int ERROR = 1;
  public static final int INVALID_INPUT = 2;
  public static final int UNEXPECTED_STATE = 3;
  public static final int INTERNAL = 4;

  private final int exitStatus;

  public AetherException(int exitStatus, String message) {
    super(message);
    this.exitStatus = exitStatus;
  }

  public AetherException(int exitStatus, String message, Throwable cause) {
    super(message, cause);
    this.exitStatus = exitStatus;
  }

  /** Bad input from the user: exit status 2, nothing launched. */
  public static AetherException invalidInput(String message) {
    return new AetherException(INVALID_INPUT, message);
  }

  public int exitStatus() {
    return exitStatus;
  }
}
