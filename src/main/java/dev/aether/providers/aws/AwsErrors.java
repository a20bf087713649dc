package dev.aether.providers.aws;

import dev.aether.core.AetherException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place where AWS errors become {@link AetherException}s with a message that says what was
 * tried, why it failed and what to do. Throttling is retried by the SDK's retry strategy before it
 * gets here. Error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 * and https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
final class AwsErrors {
  private static final Set<String> THROTTLED =
      Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException",
          "SlowDown");
  private static final Set<String> DENIED =
      Set.of("UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure",
          "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException");
  private static final Set<String> QUOTA =
      Set.of("VcpuLimitExceeded", "InstanceLimitExceeded", "MaxSpotInstanceCountExceeded");
  /** The pool has no room now: another type or zone may (HTTP 500, but not to be retried). */
  private static final Set<String> CAPACITY =
      Set.of("InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
          "InsufficientReservedInstanceCapacity");
  /** The zone cannot take this type or this instance: another zone may. */
  private static final Set<String> ZONE =
      Set.of("Unsupported", "InsufficientFreeAddressesInSubnet");
  static final String SPOT_ROLE_DENIED = "AuthFailure.ServiceLinkedRoleCreationNotPermitted";
  /** The one command that makes EC2's spot service-linked role (once per account). */
  static final String CREATE_SPOT_ROLE =
      "aws iam create-service-linked-role --aws-service-name spot.amazonaws.com";

  private AwsErrors() {}

  static boolean isThrottling(String code) {
    return THROTTLED.contains(code);
  }

  static boolean isCapacity(String code) {
    return CAPACITY.contains(code);
  }

  /**
   * Why a pool could not give an instance, when {@code e} says so: the refusals a launch answers
   * by leaving the pool out and planning its slots elsewhere. Empty for every other error (those
   * stop the launch). See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
   */
  static java.util.Optional<dev.aether.core.spi.Unavailable.Reason> unavailable(SdkException e) {
    String code = code(e);
    if (CAPACITY.contains(code)) {
      return java.util.Optional.of(dev.aether.core.spi.Unavailable.Reason.CAPACITY);
    }
    if ("SpotMaxPriceTooLow".equals(code)) {
      return java.util.Optional.of(dev.aether.core.spi.Unavailable.Reason.PRICE);
    }
    if (QUOTA.contains(code)) {
      return java.util.Optional.of(dev.aether.core.spi.Unavailable.Reason.QUOTA);
    }
    if (ZONE.contains(code)) {
      return java.util.Optional.of(dev.aether.core.spi.Unavailable.Reason.ZONE);
    }
    return java.util.Optional.empty();
  }

  /** AWS's own words for {@code e}: code and message, on one line. */
  static String said(SdkException e) {
    if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
      String m = s.awsErrorDetails().errorMessage();
      return code(e) + (m == null ? "" : ": " + m);
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * @param what what we were doing, as a phrase: "starting c5.large (spot) in us-east-1a"
   */
  static AetherException translate(String what, SdkException e) {
    if (e instanceof AwsServiceException service) {
      String code = code(service);
      String detail = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
      return new AetherException(status(code), message(what, code, detail), e);
    }
    if (e instanceof SdkClientException) {
      return new AetherException(AetherException.ERROR,
          "Failed " + what + ": could not reach AWS or find credentials (" + e.getMessage()
              + "). Check the network and that `aws sts get-caller-identity` works; see docs/aws.md.",
          e);
    }
    return new AetherException(AetherException.ERROR, "Failed " + what + ": " + e.getMessage(), e);
  }

  /** The AWS error code of {@code e}, or {@code HTTP <status>} when the answer named none. */
  static String code(SdkException e) {
    if (!(e instanceof AwsServiceException s)) {
      return "";
    }
    if (s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null) {
      return s.awsErrorDetails().errorCode();
    }
    return "HTTP " + s.statusCode();
  }

  private static int status(String code) {
    return "BucketAlreadyExists".equals(code) || "InvalidBucketName".equals(code)
        ? AetherException.INVALID_INPUT
        : AetherException.ERROR;
  }

  private static String message(String what, String code, String detail) {
    String head = "Failed " + what + ": ";
    String aws = " (AWS " + code + (detail == null ? "" : ": " + detail) + ")";
    if (SPOT_ROLE_DENIED.equals(code)) {
      return head + "this account has no spot service-linked role (AWSServiceRoleForEC2Spot) and"
          + " these credentials may not create it" + aws + ". Create it once for the account: `"
          + CREATE_SPOT_ROLE + "` (or run `aether check`, which creates it when allowed).";
    }
    if ("UnauthorizedOperation".equals(code)) {
      return head + "the IAM policy does not allow this" + aws + ". Compare the policy with"
          + " docs/aws.md; `aws sts decode-authorization-message --encoded-message MESSAGE` says"
          + " which permission is missing.";
    }
    if (THROTTLED.contains(code)) {
      return head + "AWS kept throttling our requests after retries" + aws
          + ". Wait a minute and run again; other tools on this account may be using the API.";
    }
    if (DENIED.contains(code)) {
      return head + "AWS refused the credentials or permissions" + aws
          + ". Check the user's IAM policy against docs/aws.md.";
    }
    if (QUOTA.contains(code)) {
      return head + "the account's vCPU or instance quota is used up" + aws
          + ". Stop other instances, ask for a quota increase in Service Quotas, or plan fewer vCPUs"
          + " (-P).";
    }
    switch (code) {
      case "InsufficientInstanceCapacity":
        return head + "AWS has no spare capacity of this type in this zone right now" + aws
            + ". Run again later, or bid again so another type or zone is chosen.";
      case "SpotMaxPriceTooLow":
        return head + "the spot price is above our bid" + aws
            + ". Bid again: the catalog's prices are old, or raise the look-back window.";
      case "BucketAlreadyExists":
        return head + "a bucket of this name belongs to another AWS account (bucket names are"
            + " global)" + aws + ". Choose another project name with -N.";
      default:
        return head + code + (detail == null ? "" : ": " + detail);
    }
  }
}
