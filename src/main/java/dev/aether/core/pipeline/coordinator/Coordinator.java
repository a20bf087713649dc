package dev.aether.core.pipeline.coordinator;

import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.plan.Slots;
import dev.aether.core.pipeline.ledger.JobLedger;
import com.fasterxml.jackson.core.JacksonException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aether.core.pipeline.coordinator.Protocol.CompleteReply;
import dev.aether.core.pipeline.coordinator.Protocol.CompleteRequest;
import dev.aether.core.pipeline.coordinator.Protocol.HeartbeatReply;
import dev.aether.core.pipeline.coordinator.Protocol.HeartbeatRequest;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.LeaseRequest;
import dev.aether.core.pipeline.coordinator.Protocol.RegisterReply;
import dev.aether.core.pipeline.coordinator.Protocol.RegisterRequest;
import dev.aether.core.pipeline.coordinator.Protocol.ReleaseReply;
import dev.aether.core.pipeline.coordinator.Protocol.ReleaseRequest;
import dev.aether.core.pipeline.coordinator.Protocol.RunningJob;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.LostCapacity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out the ledger's jobs to agents over HTTP/JSON (see {@link Protocol}).
 *
 * <p>One loop owns leases and time: a single thread makes every ledger change (lease, renew,
 * complete, expire, checkpoint). HTTP threads only authenticate, parse and wait for the loop. The
 * rules that keep a job from being lost:
 *
 * <ol>
 *   <li>A change is committed to the ledger before the reply that reveals it is written. If the
 *       coordinator dies between the two, the job is LEASED in the ledger and nobody runs it; the
 *       next coordinator gives such leases back ({@link JobLedger#recoverLeases()}), so the job
 *       runs again. A job may run twice; it is never dropped.
 *   <li>Leasing and expiring happen on the same thread, so a job is never handed out while its
 *       expiry is being decided, and a completion is checked against the lease (node and attempt)
 *       that is current when the loop handles it.
 *   <li>The agent uploads a job's log and outputs before it reports completion, and keeps
 *       heartbeating that job until the report is acknowledged; so a DONE job always has its log,
 *       and its lease cannot expire while the upload runs.
 *   <li>{@code stop} is answered only when no job is PENDING or LEASED. DONE and FAILED are final,
 *       so after that no job can come back to PENDING with nobody left to run it.
 *   <li>An interrupted node kills its runs before it hands their leases back ({@code release}), so
 *       a job given back is not still running there when another node takes it. The leases go
 *       back to PENDING (the attempt not counted) and commit before the reply; only then is the
 *       node's capacity replaced, on a thread of its own. A replacement that is slow or fails
 *       delays jobs, never loses one: they are PENDING for any node, and a release that never
 *       arrives ends as an expired lease (rule 2).
 * </ol>
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
  private static final int MAX_BODY = 64 * 1024;

  static {
    // The JDK server leaves Nagle's algorithm on: with the client's delayed ACKs each small reply
    // then waits ~40 ms (measured: 11 assignments/s for one agent instead of ~1000). Read once,
    // when the JDK's server config class loads, so it must be set before the first server starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /**
   * @param leaseTimeout how long a lease lives without a heartbeat
   * @param maxAttempts leases a job gets before it is FAILED
   * @param processorsPerJob P, for the slots of a node
   * @param memoryPerJobGb M, for the slots of a node
   * @param slotsPerNode when present, every node runs this many jobs at once, whatever its size
   * @param checkpointInterval least time between two checkpoints while jobs change
   * @param scriptKey the bucket key of the job script, told to nodes when they register
   * @param spotAttempts when present (K), a job interrupted K times is not given to a spot node
   *     again while an on-demand node is there, and on-demand capacity is asked for it
   */
  public record Settings(Duration leaseTimeout, int maxAttempts, int processorsPerJob,
      double memoryPerJobGb, OptionalInt slotsPerNode, Duration checkpointInterval,
      String scriptKey, OptionalInt spotAttempts) {
    public Settings {
      if (leaseTimeout.toMillis() < 100) {
        throw new IllegalArgumentException("lease timeout must be >= 100 ms, got " + leaseTimeout);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("max attempts must be >= 1, got " + maxAttempts);
      }
      if (spotAttempts.isPresent() && spotAttempts.getAsInt() < 1) {
        throw new IllegalArgumentException("spot attempts must be >= 1, got "
            + spotAttempts.getAsInt());
      }
    }

    /** Without a limit on spot attempts. */
    public Settings(Duration leaseTimeout, int maxAttempts, int processorsPerJob,
        double memoryPerJobGb, OptionalInt slotsPerNode, Duration checkpointInterval,
        String scriptKey) {
      this(leaseTimeout, maxAttempts, processorsPerJob, memoryPerJobGb, slotsPerNode,
          checkpointInterval, scriptKey, OptionalInt.empty());
    }

    long leaseMillis() {
      return leaseTimeout.toMillis();
    }
  }

  private final JobLedger ledger;
  private final Settings settings;
  private final Secret token;
  private final Runnable checkpoint;
  private final LongSupplier clock;
  private final ScheduledExecutorService loop;
  private final ExecutorService httpThreads;
  private final HttpServer server;
  private final Map<String, Integer> nodes = new ConcurrentHashMap<>();
  private final CapacityReplacer replacer;
  private final ExecutorService replacements;
  /** Whether a node is interruptible spot capacity (asked once, off the loop, at register). */
  private final java.util.function.Predicate<String> interruptible;
  private final Set<String> spotNodes = ConcurrentHashMap.newKeySet();
  /** When each node was last heard from (loop thread only). */
  private final Map<String, Long> lastSeen = new java.util.HashMap<>();

  // Touched by the loop thread only.
  private final Set<String> leaving = new HashSet<>();
  private boolean dirty;
  private long lastCheckpoint;

  private Coordinator(JobLedger ledger, Settings settings, Secret token, Runnable checkpoint,
      LongSupplier clock, HttpServer server, CapacityReplacer replacer,
      java.util.function.Predicate<String> interruptible) {
    this.interruptible = interruptible;
    this.ledger = ledger;
    this.settings = settings;
    this.token = token;
    this.checkpoint = checkpoint;
    this.clock = clock;
    this.server = server;
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aether-coordinator"));
    this.httpThreads = Executors.newFixedThreadPool(16, r -> daemon(r, "aether-coordinator-http"));
    this.replacer = replacer;
    // One replacement at a time, off the loop: starting machines takes seconds.
    this.replacements = Executors.newSingleThreadExecutor(r -> daemon(r, "aether-capacity"));
    this.lastCheckpoint = clock.getAsLong();
  }

  /**
   * Serves {@code ledger} on {@code bind} (port 0 picks a free port).
   *
   * @param checkpoint copies the ledger to the bucket; run on the loop after changes, at most once
   *     per {@link Settings#checkpointInterval()}, and when the coordinator closes
   */
  public static Coordinator start(JobLedger ledger, Settings settings, Secret token,
      InetSocketAddress bind, Runnable checkpoint, LongSupplier clock) {
    return start(ledger, settings, token, bind, checkpoint, clock, CapacityReplacer.NONE);
  }

  /**
   * As above; {@code replacer} is asked for machines when an interrupted node hands its leases
   * back, and closed when this coordinator closes.
   */
  public static Coordinator start(JobLedger ledger, Settings settings, Secret token,
      InetSocketAddress bind, Runnable checkpoint, LongSupplier clock,
      CapacityReplacer replacer) {
    return start(ledger, settings, token, bind, checkpoint, clock, replacer, node -> false);
  }

  /**
   * As above; {@code interruptible} tells whether a node is spot capacity (for
   * {@link Settings#spotAttempts()}). It is asked once per node, on a request thread.
   */
  public static Coordinator start(JobLedger ledger, Settings settings, Secret token,
      InetSocketAddress bind, Runnable checkpoint, LongSupplier clock,
      CapacityReplacer replacer, java.util.function.Predicate<String> interruptible) {
    HttpServer server;
    try {
      server = HttpServer.create(bind, 128);
    } catch (IOException e) {
      throw new dev.aether.core.AetherException(dev.aether.core.AetherException.ERROR,
          "cannot listen on " + bind + " for the coordinator: " + e.getMessage()
              + "; choose another port or free this one", e);
    }
    Coordinator c = new Coordinator(ledger, settings, token, checkpoint, clock, server, replacer,
        interruptible);
    server.createContext("/", c::handle);
    server.setExecutor(c.httpThreads);
    server.start();
    long tick = Math.max(50, Math.min(1000, settings.leaseMillis() / 4));
    c.loop.scheduleWithFixedDelay(c::tick, tick, tick, TimeUnit.MILLISECONDS);
    return c;
  }

  /** The coordinator's base URL on {@code host} (the address nodes use to reach this machine). */
  public URI uri(String host) {
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public LedgerCounts counts() {
    return onLoop(ledger::counts);
  }

  /** Nodes that have registered. */
  public int nodes() {
    return nodes.size();
  }

  /** Whether node {@code id} has registered (at any time in this coordinator's life). */
  public boolean registered(String id) {
    return nodes.containsKey(id);
  }

  /**
   * Stops serving, lets a replacement being started finish, closes the replacer (which stops the
   * machines it started), then writes a last checkpoint. Agents still asking get connection errors.
   */
  @Override
  public void close() {
    server.stop(0);
    httpThreads.shutdownNow();
    replacements.shutdown();
    try {
      // A RunInstances call in flight must return, so the replacer knows what to stop.
      if (!replacements.awaitTermination(2, TimeUnit.MINUTES)) {
        log.warn("a capacity replacement is still starting machines; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      replacer.close();
    } catch (RuntimeException e) {
      log.warn("could not stop the replacement machines: {}", e.getMessage());
    }
    try {
      onLoop(() -> {
        checkpoint.run();
        return null;
      });
    } finally {
      loop.shutdownNow();
    }
  }

  // ---- the loop

  private void tick() {
    try {
      long now = clock.getAsLong();
      if (ledger.expire(now, settings.maxAttempts()) > 0) {
        dirty = true;
      }
      if (dirty && now - lastCheckpoint >= settings.checkpointInterval().toMillis()) {
        dirty = false;
        lastCheckpoint = now;
        checkpoint.run();
      }
    } catch (RuntimeException e) {
      // A failed tick (e.g. the bucket unreachable for a checkpoint) is retried on the next one.
      dirty = true;
    }
  }

  private <T> T onLoop(Callable<T> work) {
    try {
      return loop.submit(work).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  // ---- requests (run on the loop)

  private RegisterReply register(RegisterRequest r, boolean spot) {
    requireNode(r.node());
    if (spot) {
      spotNodes.add(r.node());
    }
    lastSeen.put(r.node(), clock.getAsLong());
    int slots = settings.slotsPerNode().orElseGet(() -> Slots.forNode(
        r.cores(), r.memoryGb(), settings.processorsPerJob(), settings.memoryPerJobGb()));
    nodes.put(r.node(), slots);
    long lease = settings.leaseMillis();
    return new RegisterReply(slots, Math.max(30, lease / 3), lease, settings.scriptKey());
  }

  private LeaseReply lease(LeaseRequest r) {
    requireRegistered(r.node());
    if (leaving.contains(r.node())) {
      return new LeaseReply(null, true, 0); // it is going away: no more work for it
    }
    long now = clock.getAsLong();
    lastSeen.put(r.node(), now);
    // --spot-attempts: a job spot capacity lost K times waits for an on-demand node, if one is
    // there; with none alive it runs where it can rather than wait for capacity that may not come
    Optional<Lease> lease = settings.spotAttempts().isPresent() && spotNodes.contains(r.node())
        && onDemandNodeAlive(now)
        ? ledger.lease(r.node(), now, settings.leaseMillis(), settings.spotAttempts().getAsInt())
        : ledger.lease(r.node(), now, settings.leaseMillis());
    if (lease.isPresent()) {
      dirty = true;
      return new LeaseReply(lease.get(), false, 0);
    }
    if (!ledger.hasUnfinished()) {
      return new LeaseReply(null, true, 0);
    }
    // Nothing PENDING now, but a LEASED job may still come back: ask again soon.
    return new LeaseReply(null, false, Math.max(20, Math.min(1000, settings.leaseMillis() / 4)));
  }

  private HeartbeatReply heartbeat(HeartbeatRequest r) {
    requireRegistered(r.node());
    long now = clock.getAsLong();
    lastSeen.put(r.node(), now);
    List<RunningJob> cancel = new ArrayList<>();
    for (RunningJob job : r.jobs() == null ? List.<RunningJob>of() : r.jobs()) {
      if (!ledger.renew(r.node(), job.number(), job.attempt(), now, settings.leaseMillis())) {
        cancel.add(job);
      }
    }
    return new HeartbeatReply(!ledger.hasUnfinished(), cancel);
  }

  private CompleteReply complete(CompleteRequest r) {
    requireRegistered(r.node());
    lastSeen.put(r.node(), clock.getAsLong());
    Optional<JobState> state = ledger.complete(r.node(), r.number(), r.attempt(), r.exitCode(),
        clock.getAsLong(), settings.maxAttempts());
    if (state.isPresent()) {
      dirty = true;
    }
    return new CompleteReply(state.isPresent(), !ledger.hasUnfinished());
  }

  /** An interrupted node's leases back to PENDING (rule 5), then its slots are replaced. */
  private ReleaseReply release(ReleaseRequest r) {
    requireRegistered(r.node());
    boolean first = leaving.add(r.node());
    int released = 0;
    for (RunningJob job : r.jobs() == null ? List.<RunningJob>of() : r.jobs()) {
      if (ledger.release(r.node(), job.number(), job.attempt())) {
        released++;
      }
    }
    if (released > 0) {
      dirty = true;
    }
    // Committed above; only now ask for machines. A retried release (its reply was lost) asks
    // nothing more. Replace at most as many slots as jobs wait: near the end of a batch the
    // remaining nodes finish the rest.
    int slots = Math.min(nodes.get(r.node()), ledger.counts().pending());
    if (first && slots > 0) {
      // --spot-attempts: the jobs spot capacity lost K times are bought on-demand capacity,
      // unless an on-demand node is there to take them
      int onDemand = settings.spotAttempts().isPresent() && !onDemandNodeAlive(clock.getAsLong())
          ? Math.min(slots, ledger.pendingInterrupted(settings.spotAttempts().getAsInt())) : 0;
      log.info("node {} is interrupted; gave back {} job(s); replacing {} slot(s){}", r.node(),
          released, slots, onDemand > 0 ? ", " + onDemand + " of them on-demand" : "");
      if (slots - onDemand > 0) {
        replace(new LostCapacity(r.node(), slots - onDemand));
      }
      if (onDemand > 0) {
        replace(new LostCapacity(r.node(), onDemand, true));
      }
    }
    return new ReleaseReply(released);
  }

  private void replace(LostCapacity lost) {
    replacements.execute(() -> {
      try {
        replacer.replace(lost);
      } catch (RuntimeException e) {
        log.warn("replacing node {} failed: {}", lost.node(), e.getMessage());
      }
    });
  }

  /** An on-demand node that is not leaving and was heard from within two lease times. */
  private boolean onDemandNodeAlive(long now) {
    return nodes.keySet().stream().anyMatch(n -> !spotNodes.contains(n) && !leaving.contains(n)
        && now - lastSeen.getOrDefault(n, 0L) <= 2 * settings.leaseMillis());
  }


  private static void requireNode(String node) {
    if (node == null || node.isBlank() || node.length() > 200) {
      throw new BadRequest(400, "node id missing or longer than 200 characters");
    }
  }

  private void requireRegistered(String node) {
    requireNode(node);
    if (!nodes.containsKey(node)) {
      throw new BadRequest(409, "node not registered: register first");
    }
  }

  // ---- HTTP

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      // Authenticate before reading or parsing anything: a request without the token changes
      // nothing and learns nothing but 401.
      if (!token.matchesBearer(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        reply(exchange, 401, Map.of("error", "missing or wrong token"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Object answer;
      try {
        answer = switch (path) {
          case Protocol.REGISTER -> {
            RegisterRequest r = body(exchange, RegisterRequest.class);
            boolean spot = isSpot(r.node());
            yield onLoop(() -> register(r, spot));
          }
          case Protocol.LEASE -> {
            LeaseRequest r = body(exchange, LeaseRequest.class);
            yield onLoop(() -> lease(r));
          }
          case Protocol.HEARTBEAT -> {
            HeartbeatRequest r = body(exchange, HeartbeatRequest.class);
            yield onLoop(() -> heartbeat(r));
          }
          case Protocol.COMPLETE -> {
            CompleteRequest r = body(exchange, CompleteRequest.class);
            yield onLoop(() -> complete(r));
          }
          case Protocol.RELEASE -> {
            ReleaseRequest r = body(exchange, ReleaseRequest.class);
            yield onLoop(() -> release(r));
          }
          default -> throw new BadRequest(404, "no such endpoint");
        };
      } catch (BadRequest e) {
        reply(exchange, e.status, Map.of("error", e.getMessage()));
        return;
      } catch (RuntimeException e) {
        reply(exchange, 500, Map.of("error", String.valueOf(e.getMessage())));
        return;
      }
      reply(exchange, 200, answer);
    }
  }

  /** Asked off the loop: on a cloud it is a call to the provider. */
  private boolean isSpot(String node) {
    try {
      return node != null && interruptible.test(node);
    } catch (RuntimeException e) {
      log.warn("could not tell whether node {} is spot capacity: {}", node, e.getMessage());
      return false;
    }
  }

  private static <T> T body(HttpExchange exchange, Class<T> type) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      throw new BadRequest(405, "use POST");
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) {
      throw new BadRequest(413, "request body over " + MAX_BODY + " bytes");
    }
    try {
      T value = Protocol.JSON.readValue(bytes, type);
      if (value == null) {
        throw new BadRequest(400, "empty request body");
      }
      return value;
    } catch (JacksonException e) {
      throw new BadRequest(400, "malformed JSON: " + e.getOriginalMessage());
    }
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Protocol.JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
