package dev.aether.core.bidder;

import dev.aether.core.AetherException;

/**
 * No plan meets the requirements under the account limits. The message is one line naming the
 * constraint that cannot be met and by how much; the exit status is {@link #INVALID_INPUT}.
 */
public final class InfeasibleException extends AetherException {
  public InfeasibleException(String message) {
    super(INVALID_INPUT, message);
  }
}
