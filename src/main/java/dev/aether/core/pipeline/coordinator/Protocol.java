package dev.aether.core.pipeline.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The coordinator's HTTP/JSON messages. Every request is a POST to {@code /v1/<name>} with
 * {@code Authorization: Bearer <token>}; a request without the right token gets 401 and changes
 * nothing. Fields are only ever data: nothing here reaches a shell.
 */
public final class Protocol {
  private Protocol() {}

  public static final String REGISTER = "/v1/register";
  public static final String LEASE = "/v1/lease";
  public static final String HEARTBEAT = "/v1/heartbeat";
  public static final String COMPLETE = "/v1/complete";
  public static final String RELEASE = "/v1/release";

  /** Every endpoint; anything else is 404 without its body being read. */
  public static final java.util.Set<String> PATHS =
      java.util.Set.of(REGISTER, LEASE, HEARTBEAT, COMPLETE, RELEASE);

  /** Unknown fields are ignored, so either side may add one without breaking the other. */
  public static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A node joins with its size; the coordinator decides its slots. */
  public record RegisterRequest(String node, int cores, double memoryGb) {}

  /**
   * @param slots jobs the node runs at once
   * @param heartbeatMillis how often to renew leases
   * @param leaseMillis how long a lease lives without a heartbeat
   * @param script the bucket key of the job script
   * @param jobTimeoutMillis a run longer than this is killed and reported as failed; 0 = no limit
   *     (absent from older coordinators, hence 0)
   */
  public record RegisterReply(int slots, long heartbeatMillis, long leaseMillis, String script,
      long jobTimeoutMillis) {}

  public record LeaseRequest(String node) {}

  /**
   * Exactly one of: a job to run; {@code stop} (the batch is over, or this node is leaving: stop
   * asking); or neither, meaning no job is PENDING now: ask again after {@code waitMillis} (a lease
   * may still expire).
   */
  public record LeaseReply(Lease job, boolean stop, long waitMillis) {}

  public record RunningJob(int number, int attempt) {}

  public record HeartbeatRequest(String node, List<RunningJob> jobs) {}

  /**
   * @param stop the batch is over: stop asking, end what runs (it is no longer needed)
   * @param cancel jobs this node no longer holds (lease expired or handed on): kill, do not report
   */
  public record HeartbeatReply(boolean stop, List<RunningJob> cancel) {}

  public record CompleteRequest(String node, int number, int attempt, int exitCode) {}

  /** {@code accepted} false: the report was not for a lease this node holds, and was ignored. */
  public record CompleteReply(boolean accepted, boolean stop) {}

  /**
   * The node is being taken away (e.g. a spot interruption notice): it has killed these runs and
   * hands their leases back. The node is marked as leaving and gets no more work.
   */
  public record ReleaseRequest(String node, List<RunningJob> jobs) {}

  /** @param released how many of the listed leases the node still held and gave back */
  public record ReleaseReply(int released) {}

}
