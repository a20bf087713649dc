package dev.aether.core.pipeline.run;

import dev.aether.core.plan.Slots;
import dev.aether.core.project.BucketLayout;
import dev.aether.core.spi.CapacityReplacer;
import dev.aether.core.spi.LostCapacity;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the nodes that never join the coordinator, so that none is billed for nothing: a node still
 * not registered {@code deadline} after it was first seen is stopped, and a node that ended
 * without ever registering (its boot failed and it shut itself down) is noticed. Either way its
 * console output goes to the bucket ({@link BucketLayout#nodeConsole}), the user is told where,
 * and its slots are replaced through the {@link CapacityReplacer} (which leaves its pool out) — at
 * most {@code maxReplacements} times in a batch, so that a boot that fails on every node (a
 * broken image, a missing permission) does not buy machines for ever.
 *
 * <p>Nodes are watched through {@link Machines#list()}, so the ones a replacer starts are watched
 * too. Registration is the coordinator's word: a node that registered once is never touched.
 */
final class JoinWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JoinWatch.class);

  private final Duration deadline;
  private final Machines machines;
  private final Predicate<String> registered;
  private final CapacityReplacer replacer;
  private final Storage storage;
  private final Consumer<String> notes;
  private final int processorsPerJob;
  private final double memoryPerJobGb;
  private final int maxReplacements;
  private final LongSupplier clockMillis;
  /** Nodes seen and not yet joined, with when they were first seen. */
  private final Map<String, Node> waiting = new LinkedHashMap<>();
  private final Map<String, Long> firstSeen = new HashMap<>();
  private final Set<String> done = new HashSet<>();
  private int replaced;
  private final Thread thread;
  private volatile boolean running = true;

  JoinWatch(Duration deadline, Machines machines, Predicate<String> registered,
      CapacityReplacer replacer, Storage storage, Consumer<String> notes, int processorsPerJob,
      double memoryPerJobGb, int maxReplacements, LongSupplier clockMillis, Duration poll) {
    this.deadline = deadline;
    this.machines = machines;
    this.registered = registered;
    this.replacer = replacer;
    this.storage = storage;
    this.notes = notes;
    this.processorsPerJob = processorsPerJob;
    this.memoryPerJobGb = memoryPerJobGb;
    this.maxReplacements = maxReplacements;
    this.clockMillis = clockMillis;
    this.thread = new Thread(() -> loop(poll), "aether-join-watch");
    this.thread.setDaemon(true);
  }

  JoinWatch start() {
    thread.start();
    return this;
  }

  private void loop(Duration poll) {
    while (running) {
      try {
        check();
      } catch (RuntimeException e) {
        log.warn("could not check which nodes joined: {}", e.getMessage());
      }
      try {
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Watches nodes just started, so that one whose boot fails before the first look at
   * {@link Machines#list()} is not missed.
   */
  synchronized void track(java.util.List<Node> nodes) {
    long now = clockMillis.getAsLong();
    for (Node n : nodes) {
      if (!done.contains(n.id()) && !waiting.containsKey(n.id())) {
        waiting.put(n.id(), n);
        firstSeen.put(n.id(), now);
      }
    }
  }

  /** One look at the nodes: new ones are timed, late and lost ones are ended and replaced. */
  synchronized void check() {
    long now = clockMillis.getAsLong();
    Set<String> alive = new HashSet<>();
    for (Node n : machines.list()) {
      alive.add(n.id());
      if (!done.contains(n.id()) && !waiting.containsKey(n.id())) {
        waiting.put(n.id(), n);
        firstSeen.put(n.id(), now);
      }
    }
    for (Node n : Map.copyOf(waiting).values()) {
      if (registered.test(n.id())) {
        finish(n);
      } else if (!alive.contains(n.id())) {
        finish(n);
        failed(n, "ended before it joined the coordinator (its boot failed)");
      } else if (now - firstSeen.get(n.id()) >= deadline.toMillis()) {
        finish(n);
        machines.stop(n);
        failed(n, "did not join the coordinator within " + deadline.toSeconds() + " s, so it was"
            + " terminated");
      }
    }
  }

  private void finish(Node n) {
    waiting.remove(n.id());
    firstSeen.remove(n.id());
    done.add(n.id());
  }

  private void failed(Node n, String what) {
    String where = keepConsole(n);
    String message = "Node " + n.id() + " (" + n.instance().type() + ") " + what + "; " + where;
    int slots = Slots.forNode(n.instance().processors(), n.instance().ramGb(), processorsPerJob,
        memoryPerJobGb);
    if (replaced < maxReplacements) {
      replaced++;
      notes.accept(message + ". Replacing its " + slots + " slot(s) (" + replaced + " of at most "
          + maxReplacements + " such replacements).");
      replacer.replace(new LostCapacity(n.id(), slots));
    } else {
      notes.accept(message + ". Not replaced: " + maxReplacements + " nodes have failed to join"
          + " already, which points to the boot, not the machines.");
    }
  }

  /** Keeps what the node printed, when the provider can tell; says where to look. */
  private String keepConsole(Node n) {
    String bootLog = storage.location() + "/" + BucketLayout.nodeBootLog(n.id());
    try {
      var console = machines.console(n);
      if (console.isPresent() && !console.get().isBlank()) {
        storage.put(BucketLayout.nodeConsole(n.id()),
            console.get().getBytes(StandardCharsets.UTF_8));
        return "its console output is in " + storage.location() + "/"
            + BucketLayout.nodeConsole(n.id()) + " and its boot log, if it got that far, in "
            + bootLog;
      }
    } catch (RuntimeException e) {
      log.warn("could not read the console output of node {}: {}", n.id(), e.getMessage());
    }
    return "its boot log, if it got that far, is in " + bootLog;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
