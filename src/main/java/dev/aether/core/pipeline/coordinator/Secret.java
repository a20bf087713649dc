package dev.aether.core.pipeline.coordinator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The pipeline's token: 256 random bits, made fresh for each run of the coordinator. Never printed:
 * {@link #toString()} hides it; {@link #value()} is for handing it to nodes out of band only.
 */
public final class Secret {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new Secret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  public static Secret of(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("empty token");
    }
    return new Secret(value.strip());
  }

  public String value() {
    return value;
  }

  /** The {@code Authorization} header value that carries it. */
  public String bearer() {
    return "Bearer " + value;
  }

  /** Compares a received {@code Authorization} header in time that does not depend on content. */
  public boolean matchesBearer(String header) {
    if (header == null) {
      return false;
    }
    return MessageDigest.isEqual(bearer().getBytes(StandardCharsets.UTF_8),
        header.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "***";
  }
}
