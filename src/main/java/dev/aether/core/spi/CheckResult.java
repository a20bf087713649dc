package dev.aether.core.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of a provider's preflight ({@code aether check}): what was checked, how it went, and
 * when it did not pass, the one thing to do about it.
 *
 * @param name what was checked, a few words ("credentials", "spot service-linked role")
 * @param status how it went
 * @param detail what was found, in the user's words
 * @param fix what to do, when there is something to do (a command to run, a link)
 */
public record CheckResult(String name, Status status, String detail, Optional<String> fix) {
  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fix, "fix");
  }

  public static CheckResult pass(String name, String detail) {
    return new CheckResult(name, Status.PASS, detail, Optional.empty());
  }

  public static CheckResult fixed(String name, String detail) {
    return new CheckResult(name, Status.FIXED, detail, Optional.empty());
  }

  public static CheckResult warn(String name, String detail, String fix) {
    return new CheckResult(name, Status.WARN, detail, Optional.of(fix));
  }

  public static CheckResult fail(String name, String detail, String fix) {
    return new CheckResult(name, Status.FAIL, detail, Optional.of(fix));
  }

  /** True when a run could not start (or would fail) as things are. */
  public boolean blocks() {
    return status == Status.FAIL;
  }

  /** How a check went. */
  public enum Status {
    /** As it must be. */
    PASS,
    /** It was not, and the check made it so (e.g. created a missing service-linked role). */
    FIXED,
    /** A run can start, but not all of the plan may (e.g. the quota covers part of it). */
    WARN,
    /** A run cannot start, or will fail, until this is fixed. */
    FAIL
  }
}
