package dev.aether.core.pipeline.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.LostCapacity;
import dev.aether.core.spi.Machines;
import dev.aether.core.spi.Node;
import dev.aether.core.spi.NodeBootstrap;
import dev.aether.core.spi.NodeState;
import dev.aether.core.spi.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The join deadline, one look at a time on a clock the test moves. */
class JoinWatchTest {
  private static final ProvisionedInstance C5 = new ProvisionedInstance("c5.large", 2, 4, false,
      false, Optional.empty(), Optional.empty(), Optional.empty());

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Nodes machines = new Nodes();
  private final Set<String> registered = new HashSet<>();
  private final List<LostCapacity> replaced = new CopyOnWriteArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();
  private final MemoryBucket bucket = new MemoryBucket();

  private JoinWatch watch(int maxReplacements) {
    return new JoinWatch(Duration.ofSeconds(600), machines, registered::contains, replaced::add,
        bucket, notes::add, 1, 1.0, maxReplacements, clock::get, Duration.ofSeconds(1));
  }

  @Test
  void aNodeThatNeverJoinsIsTerminatedAtTheDeadlineItsConsoleKeptAndItsSlotsReplaced() {
    JoinWatch w = watch(2);
    machines.alive.add(node("i-1"));
    w.check();
    clock.addAndGet(599_000);
    w.check();
    assertThat(machines.stopped).isEmpty();

    clock.addAndGet(1_000);
    w.check();

    assertThat(machines.stopped).containsExactly("i-1");
    assertThat(replaced).containsExactly(new LostCapacity("i-1", 2));
    assertThat(bucket.text("logs/nodes/i-1/console.txt")).contains("console of i-1");
    assertThat(notes).singleElement().asString()
        .contains("Node i-1 (c5.large) did not join the coordinator within 600 s")
        .contains("its console output is in mem://bucket/logs/nodes/i-1/console.txt")
        .contains("Replacing its 2 slot(s)");
    w.check();
    assertThat(replaced).hasSize(1); // handled once
  }

  @Test
  void aNodeThatEndsWithoutJoiningIsReplacedAtOnce() {
    JoinWatch w = watch(2);
    machines.alive.add(node("i-1"));
    w.check();
    machines.alive.clear(); // its boot failed and it shut itself down

    w.check();

    assertThat(machines.stopped).isEmpty();
    assertThat(replaced).containsExactly(new LostCapacity("i-1", 2));
    assertThat(notes).singleElement().asString().contains("ended before it joined");
  }

  @Test
  void aStartedNodeThatEndsBeforeTheFirstLookIsNotMissed() {
    JoinWatch w = watch(2);
    w.track(List.of(node("i-1"))); // started, and already gone when the watch first looks

    w.check();

    assertThat(replaced).containsExactly(new LostCapacity("i-1", 2));
  }

  @Test
  void aNodeThatJoinedIsNeverTouched() {
    JoinWatch w = watch(2);
    machines.alive.add(node("i-1"));
    w.check();
    registered.add("i-1");
    clock.addAndGet(3_600_000);
    w.check();
    machines.alive.clear();
    w.check();

    assertThat(machines.stopped).isEmpty();
    assertThat(replaced).isEmpty();
    assertThat(notes).isEmpty();
  }

  @Test
  void stopsReplacingWhenEveryBootFails() {
    JoinWatch w = watch(2);
    for (int i = 1; i <= 3; i++) {
      machines.alive.add(node("i-" + i));
      w.check();
      machines.alive.clear();
      w.check();
    }

    assertThat(replaced).extracting(LostCapacity::node).containsExactly("i-1", "i-2");
    assertThat(notes.get(2)).contains("Not replaced: 2 nodes have failed to join already");
  }

  private static Node node(String id) {
    return new Node(id, C5, Optional.empty(), NodeState.RUNNING);
  }

  private static final class Nodes implements Machines {
    final List<Node> alive = new CopyOnWriteArrayList<>();
    final List<String> stopped = new ArrayList<>();

    @Override
    public List<Node> start(List<ProvisionedInstance> instances, NodeBootstrap bootstrap) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Node> list() {
      return List.copyOf(alive);
    }

    @Override
    public void stop(Node node) {
      stopped.add(node.id());
      alive.removeIf(n -> n.id().equals(node.id()));
    }

    @Override
    public Optional<String> console(Node node) {
      return Optional.of("console of " + node.id());
    }
  }

  /** A bucket in memory. */
  static final class MemoryBucket implements Storage {
    final Map<String, byte[]> objects = new TreeMap<>();

    String text(String key) {
      return new String(objects.getOrDefault(key, new byte[0]), StandardCharsets.UTF_8);
    }

    @Override
    public String location() {
      return "mem://bucket";
    }

    @Override
    public synchronized void put(String key, Path source) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized void put(String key, byte[] content) {
      objects.put(key, content.clone());
    }

    @Override
    public synchronized void delete(String key) {
      objects.remove(key);
    }

    @Override
    public synchronized Optional<byte[]> read(String key) {
      return Optional.ofNullable(objects.get(key));
    }

    @Override
    public boolean get(String key, Path target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized List<String> list(String prefix) {
      return objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }
  }
}
