package dev.aether.providers.aws;

import java.io.IOException;
import java.time.Duration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * How AWS calls are retried: throttling ({@code RequestLimitExceeded} and friends) up to
 * {@value #MAX_ATTEMPTS} attempts with exponential back-off and jitter from 1 s to 20 s, as
 * SkyPilot and Ray do for EC2; other server errors and lost connections the same way from 100 ms;
 * never a capacity refusal ({@code InsufficientInstanceCapacity} comes as HTTP 500, and the SDK's
 * own defaults would retry it in the same pool, which only delays trying another one). No circuit
 * breaker: a burst of throttling must not turn into a failed launch. See
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html
 */
final class AwsRetries {
  static final int MAX_ATTEMPTS = 12;

  private AwsRetries() {}

  static RetryStrategy standard() {
    return strategy(MAX_ATTEMPTS, BackoffStrategy.exponentialDelay(Duration.ofMillis(100),
        Duration.ofSeconds(20)), BackoffStrategy.exponentialDelay(Duration.ofSeconds(1),
        Duration.ofSeconds(20)));
  }

  /** The same rules with other numbers (tests retry quickly). */
  static RetryStrategy strategy(int maxAttempts, BackoffStrategy backoff,
      BackoffStrategy throttlingBackoff) {
    return StandardRetryStrategy.builder()
        .useClientDefaults(false)
        .maxAttempts(maxAttempts)
        .retryOnException(AwsRetries::retryable)
        .treatAsThrottling(AwsRetries::throttled)
        .backoffStrategy(backoff)
        .throttlingBackoffStrategy(throttlingBackoff)
        .circuitBreakerEnabled(false)
        .build();
  }

  static boolean throttled(Throwable t) {
    return t instanceof AwsServiceException e
        && (e.isThrottlingException() || AwsErrors.isThrottling(AwsErrors.code(e)));
  }

  static boolean retryable(Throwable t) {
    if (throttled(t)) {
      return true;
    }
    if (t instanceof AwsServiceException e) {
      return e.statusCode() >= 500 && !AwsErrors.isCapacity(AwsErrors.code(e));
    }
    if (t instanceof SdkClientException) {
      for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
        if (c instanceof IOException) {
          return true;
        }
      }
    }
    return false;
  }
}
