package dev.aether.core.pipeline.coordinator;

import com.fasterxml.jackson.core.JacksonException;
import dev.aether.core.AetherException;
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
import dev.aether.core.pipeline.ledger.JobLedger;
import dev.aether.core.pipeline.ledger.JobState;
import dev.aether.core.pipeline.ledger.LedgerCounts;
import dev.aether.core.plan.Slots;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.LostCapacity;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out the ledger's jobs to agents over HTTP/JSON (see {@link Protocol}).
 *
 * <p>One loop owns leases and time: a single thread makes every ledger change (lease, renew,
 * complete, expire, checkpoint). HTTP threads only authenticate and parse. The rules that keep
 * a job from being lost:
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
 *   <li>A ledger that fails (a full disk, a read-only file) ends the handing out: the change that
 *       failed was rolled back, every later request is answered 503 and {@link #ledgerFault()}
 *       says why, so the launcher can stop the batch and say so. What the ledger had committed
 *       stays, and the next run resumes from it (rule 1).
 * </ol>
 *
 * <p>Clients are bounded ({@link Limits}): the server (Jetty) reads without blocking, a
 * connection must show the token soon after it opens and few may wait to ({@link
 * ConnectionGuard}), bodies are small and must arrive in time, so slow or hostile clients cannot
 * hold what the agents need. Requests are answered off the HTTP threads: parsed, run on the
 * loop, written back without blocking.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);
  private static final int MAX_BODY = 64 * 1024;
  private static final int MAX_HEADERS = 8 * 1024;

  /**
   * @param leaseTimeout how long a lease lives without a heartbeat
   * @param maxAttempts leases a job gets before it is FAILED
   * @param processorsPerJob P, for the slots of a node
   * @param memoryPerJobGb M, for the slots of a node
   * @param slotsPerNode when present, every node runs this many jobs at once, whatever its size
   * @param checkpointInterval least time between two checkpoints while jobs change
   * @param scriptKey the bucket key of the job script, told to nodes when they register
   * @param jobTimeout when present, a run longer than this is killed and counts as a failed
   *     attempt (told to nodes when they register)
   * @param spotAttempts when present (K), a job interrupted K times is not given to a spot node
   *     again while an on-demand node is there, and on-demand capacity is asked for it
   */
  public record Settings(Duration leaseTimeout, int maxAttempts, int processorsPerJob,
      double memoryPerJobGb, OptionalInt slotsPerNode, Duration checkpointInterval,
      String scriptKey, Optional<Duration> jobTimeout, OptionalInt spotAttempts) {
    public Settings {
      if (leaseTimeout.toMillis() < 100) {
        throw new IllegalArgumentException("lease timeout must be >= 100 ms, got " + leaseTimeout);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("max attempts must be >= 1, got " + maxAttempts);
      }
      if (jobTimeout.isPresent() && jobTimeout.get().toMillis() < 1) {
        throw new IllegalArgumentException("job timeout must be > 0, got " + jobTimeout.get());
      }
      if (spotAttempts.isPresent() && spotAttempts.getAsInt() < 1) {
        throw new IllegalArgumentException("spot attempts must be >= 1, got "
            + spotAttempts.getAsInt());
      }
    }

    /** Without a job time limit or a limit on spot attempts. */
    public Settings(Duration leaseTimeout, int maxAttempts, int processorsPerJob,
        double memoryPerJobGb, OptionalInt slotsPerNode, Duration checkpointInterval,
        String scriptKey) {
      this(leaseTimeout, maxAttempts, processorsPerJob, memoryPerJobGb, slotsPerNode,
          checkpointInterval, scriptKey, Optional.empty(), OptionalInt.empty());
    }

    long leaseMillis() {
      return leaseTimeout.toMillis();
    }
  }

  /**
   * What one client may hold (docs/pipeline.md#faults).
   *
   * @param tokenDeadline a new connection must bring a request with the right token within this
   *     (headers included, however slowly they come), or it is closed
   * @param unproven connections at most that have not shown the token yet; one more closes the
   *     oldest
   * @param bodyDeadline a request's body must have arrived this long after its headers
   * @param idleTimeout a connection with nothing to read or write this long is closed
   */
  public record Limits(Duration tokenDeadline, int unproven, Duration bodyDeadline,
      Duration idleTimeout) {
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), 128,
        Duration.ofSeconds(10), Duration.ofSeconds(60));

    public Limits {
      if (unproven < 1) {
        throw new IllegalArgumentException("unproven connections must be >= 1, got " + unproven);
      }
    }
  }

  private final JobLedger ledger;
  private final Settings settings;
  private final Secret token;
  private final Runnable checkpoint;
  private final LongSupplier clock;
  private final ScheduledExecutorService loop;
  private final Limits limits;
  private final Server server;
  private final ServerConnector connector;
  private final ConnectionGuard guard;
  private final Map<String, Integer> nodes = new ConcurrentHashMap<>();
  private final CapacityReplacer replacer;
  private final ExecutorService replacements;
  /** Whether a node is interruptible spot capacity (asked once, off the loop, at register). */
  private final Predicate<String> interruptible;
  private final Set<String> spotNodes = ConcurrentHashMap.newKeySet();
  /** Where the spot question is asked: a pool thread, not Jetty's selector. */
  private final QueuedThreadPool httpThreads;
  /** The ledger's first failure; from then on no request is served. Written by the loop. */
  private volatile AetherException fault;

  // Touched by the loop thread only.
  private final Set<String> leaving = new HashSet<>();
  /** When each node was last heard from. */
  private final Map<String, Long> lastSeen = new HashMap<>();
  private boolean dirty;
  private long lastCheckpoint;
  private boolean checkpointFailing;

  private Coordinator(JobLedger ledger, Settings settings, Secret token, Runnable checkpoint,
      LongSupplier clock, InetSocketAddress bind, Limits limits, CapacityReplacer replacer,
      Predicate<String> interruptible) {
    this.ledger = ledger;
    this.interruptible = interruptible;
    this.settings = settings;
    this.token = token;
    this.checkpoint = checkpoint;
    this.clock = clock;
    this.limits = limits;
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aether-coordinator"));
    this.replacer = replacer;
    // One replacement at a time, off the loop: starting machines takes seconds.
    this.replacements = Executors.newSingleThreadExecutor(r -> daemon(r, "aether-capacity"));
    this.lastCheckpoint = clock.getAsLong();

    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    this.httpThreads = threads;
    threads.setName("aether-coordinator-http");
    threads.setDaemon(true);
    this.server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setSendDateHeader(false);
    http.setRequestHeaderSize(MAX_HEADERS);
    this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(bind.getHostString());
    connector.setPort(bind.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    this.guard = new ConnectionGuard(connector.getScheduler(), limits.tokenDeadline(),
        limits.unproven());
    connector.addEventListener(guard);
    server.addConnector(connector);
    ErrorHandler errors = new ErrorHandler();
    errors.setShowStacks(false);
    server.setErrorHandler(errors);
    server.setHandler(new Api());
    server.setStopTimeout(500);
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
    return start(ledger, settings, token, bind, checkpoint, clock, replacer, Limits.DEFAULT,
        node -> false);
  }

  /** As above, with these limits on clients. */
  public static Coordinator start(JobLedger ledger, Settings settings, Secret token,
      InetSocketAddress bind, Runnable checkpoint, LongSupplier clock,
      CapacityReplacer replacer, Limits limits) {
    return start(ledger, settings, token, bind, checkpoint, clock, replacer, limits,
        node -> false);
  }

  /**
   * As above; {@code interruptible} tells whether a node is spot capacity (for
   * {@link Settings#spotAttempts()}). It is asked once per node, on a request thread.
   */
  public static Coordinator start(JobLedger ledger, Settings settings, Secret token,
      InetSocketAddress bind, Runnable checkpoint, LongSupplier clock,
      CapacityReplacer replacer, Limits limits, Predicate<String> interruptible) {
    Coordinator c = new Coordinator(ledger, settings, token, checkpoint, clock, bind, limits,
        replacer, interruptible);
    try {
      c.server.start();
    } catch (Exception e) {
      c.loop.shutdownNow();
      c.replacements.shutdownNow();
      stopQuietly(c.server);
      String why = e instanceof BindException || e.getCause() instanceof BindException
          ? "the address is in use or not this machine's" : String.valueOf(e.getMessage());
      throw new AetherException(AetherException.ERROR, "cannot listen on " + bind
          + " for the coordinator (" + why + "); choose another port or free this one", e);
    }
    long tick = Math.max(50, Math.min(1000, settings.leaseMillis() / 4));
    c.loop.scheduleWithFixedDelay(c::tick, tick, tick, TimeUnit.MILLISECONDS);
    return c;
  }

  /** The coordinator's base URL on {@code host} (the address nodes use to reach this machine). */
  public URI uri(String host) {
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
  }

  public int port() {
    return connector.getLocalPort();
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

  /** Whether {@code node} has handed its leases back because it is being taken away. */
  public boolean leaving(String node) {
    return onLoop(() -> leaving.contains(node));
  }

  /**
   * The ledger's failure, once it has failed: from then on this coordinator hands out no work
   * and records nothing (rule 6). Its message names the file and the space left on its disk.
   */
  public Optional<AetherException> ledgerFault() {
    return Optional.ofNullable(fault);
  }

  /** Connections closed because they did not show the token in time, or to make room. */
  public long refusedConnections() {
    return guard.closed();
  }

  /**
   * Stops serving, lets a replacement being started finish, closes the replacer (which stops the
   * machines it started), then writes a last checkpoint. Agents still asking get connection errors.
   */
  @Override
  public void close() {
    stopQuietly(server);
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
    } catch (RuntimeException e) {
      // The ledger itself holds every commit; the bucket's copy is only a few seconds older.
      log.warn("last checkpoint of the ledger failed: {}", e.getMessage());
    } finally {
      loop.shutdownNow();
    }
  }

  // ---- the loop

  private void tick() {
    if (fault != null) {
      return;
    }
    long now = clock.getAsLong();
    try {
      if (ledger.expire(now, settings.maxAttempts()) > 0) {
        dirty = true;
      }
    } catch (AetherException e) {
      failed(e);
      return;
    }
    if (dirty && now - lastCheckpoint >= settings.checkpointInterval().toMillis()) {
      try {
        lastCheckpoint = now;
        checkpoint.run();
        dirty = false;
        checkpointFailing = false;
      } catch (RuntimeException e) {
        // Retried on the next tick: a checkpoint is a copy; the ledger has every commit.
        if (!checkpointFailing) {
          log.warn("checkpoint of the ledger to the bucket failed (retrying): {}", e.getMessage());
        }
        checkpointFailing = true;
      }
    }
  }

  /** The ledger failed: from now on nothing is handed out or recorded (rule 6). */
  private void failed(AetherException e) {
    if (fault == null) {
      fault = e;
      log.error("the ledger failed; handing out no more work: {}", e.getMessage());
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

  /** Runs a request on the loop; a ledger failure stops all later ones (rule 6). */
  private Object serve(Supplier<Object> request) {
    if (fault != null) {
      throw new Unavailable(fault.getMessage());
    }
    try {
      return request.get();
    } catch (AetherException e) {
      failed(e);
      throw new Unavailable(e.getMessage());
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
    return new RegisterReply(slots, Math.max(30, lease / 3), lease, settings.scriptKey(),
        settings.jobTimeout().map(Duration::toMillis).orElse(0L));
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
    Optional<Lease> lease = new SpotAttempts(settings.spotAttempts()).lease(ledger, r.node(),
        spotNodes.contains(r.node()), onDemandNodeAlive(now), now, settings.leaseMillis());
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
    // (--spot-attempts: the jobs spot capacity lost K times are bought on-demand capacity,
    // unless an on-demand node is there to take them.)
    if (first) {
      List<LostCapacity> lost = new SpotAttempts(settings.spotAttempts()).replacements(ledger,
          r.node(), nodes.get(r.node()), onDemandNodeAlive(clock.getAsLong()));
      int slots = lost.stream().mapToInt(LostCapacity::slots).sum();
      int onDemand = lost.stream().filter(LostCapacity::onDemand)
          .mapToInt(LostCapacity::slots).sum();
      if (slots > 0) {
        log.info("node {} is interrupted; gave back {} job(s); replacing {} slot(s){}", r.node(),
            released, slots, onDemand > 0 ? ", " + onDemand + " of them on-demand" : "");
      }
      lost.forEach(this::replace);
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

  /** The request of {@code path} from its body, ready to run on the loop. */
  private Supplier<Object> parse(String path, byte[] body) {
    return switch (path) {
      case Protocol.REGISTER -> {
        RegisterRequest r = json(body, RegisterRequest.class);
        boolean spot = isSpot(r.node());
        yield () -> register(r, spot);
      }
      case Protocol.LEASE -> {
        LeaseRequest r = json(body, LeaseRequest.class);
        yield () -> lease(r);
      }
      case Protocol.HEARTBEAT -> {
        HeartbeatRequest r = json(body, HeartbeatRequest.class);
        yield () -> heartbeat(r);
      }
      case Protocol.COMPLETE -> {
        CompleteRequest r = json(body, CompleteRequest.class);
        yield () -> complete(r);
      }
      case Protocol.RELEASE -> {
        ReleaseRequest r = json(body, ReleaseRequest.class);
        yield () -> release(r);
      }
      default -> throw new BadRequest(404, "no such endpoint");
    };
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

  private static <T> T json(byte[] bytes, Class<T> type) {
    try {
      T value = Protocol.JSON.readValue(bytes, type);
      if (value == null) {
        throw new BadRequest(400, "empty request body");
      }
      return value;
    } catch (JacksonException e) {
      throw new BadRequest(400, "malformed JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new BadRequest(400, "unreadable request body");
    }
  }

  // ---- HTTP

  /**
   * Every request: the token first (nothing is read or changed without it), then the body
   * (small, in time), then the loop; the reply is written without blocking a thread.
   */
  private final class Api extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (!token.matchesBearer(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        reply(response, callback, 401, Map.of("error", "missing or wrong token"), true);
        return true;
      }
      guard.proven(request.getConnectionMetaData().getConnection());
      String path = Request.getPathInContext(request);
      if (!Protocol.PATHS.contains(path)) {
        reply(response, callback, 404, Map.of("error", "no such endpoint"), false);
        return true;
      }
      if (!"POST".equals(request.getMethod())) {
        reply(response, callback, 405, Map.of("error", "use POST"), false);
        return true;
      }
      if (request.getLength() > MAX_BODY) {
        reply(response, callback, 413, Map.of("error", "request body over " + MAX_BODY
            + " bytes"), true);
        return true;
      }
      Content.Source.asByteArrayAsync(request, MAX_BODY)
          .orTimeout(limits.bodyDeadline().toMillis(), TimeUnit.MILLISECONDS)
          // a register may ask the provider whether the node is spot: not on a selector thread
          .thenApplyAsync(body -> parse(path, body), Protocol.REGISTER.equals(path)
              ? httpThreads : Runnable::run)
          .thenApplyAsync(Coordinator.this::serve, loop)
          .whenComplete((answer, error) -> {
            if (error == null) {
              reply(response, callback, 200, answer, false);
            } else {
              failed(response, callback, error);
            }
          });
      return true;
    }

    private void failed(Response response, Callback callback, Throwable error) {
      Throwable e = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (e instanceof BadRequest b) {
        reply(response, callback, b.status, Map.of("error", b.getMessage()), false);
      } else if (e instanceof Unavailable u) {
        reply(response, callback, 503, Map.of("error", u.getMessage()), false);
      } else if (e instanceof TimeoutException) {
        reply(response, callback, 408, Map.of("error", "request body not received within "
            + limits.bodyDeadline().toSeconds() + " s"), true);
      } else if (e instanceof IllegalArgumentException) {
        // Jetty's answer to a body over the limit that came without a length
        reply(response, callback, 413, Map.of("error", "request body over " + MAX_BODY
            + " bytes"), true);
      } else if (e instanceof java.util.concurrent.RejectedExecutionException) {
        reply(response, callback, 503, Map.of("error", "the coordinator is stopping"), true);
      } else {
        log.warn("request failed", e);
        reply(response, callback, 500, Map.of("error", String.valueOf(e.getMessage())), true);
      }
    }

    private void reply(Response response, Callback callback, int status, Object body,
        boolean close) {
      byte[] bytes;
      try {
        bytes = Protocol.JSON.writeValueAsBytes(body);
      } catch (JacksonException e) {
        callback.failed(e);
        return;
      }
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      if (close) {
        // Its connection is not worth keeping: a client without the token, or a broken body.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      response.write(true, ByteBuffer.wrap(bytes), callback);
    }
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("stopping the coordinator's server: {}", e.getMessage());
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

  /** The ledger has failed: nothing more is served. */
  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super("the coordinator has stopped handing out work: " + message);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
