package dev.aether.core.pipeline.coordinator;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Keeps clients that have not shown the token from holding the coordinator's connections, so that
 * no client can starve the agents:
 *
 * <ul>
 *   <li>a connection must bring a request with the right token within {@code deadline} of being
 *       opened (its headers, however slowly they trickle in, must be complete by then), or it is
 *       closed;
 *   <li>at most {@code cap} such unproven connections are open at once: one more closes the
 *       oldest. An agent's connection shows its token within milliseconds of opening, so it is
 *       the newest, not the oldest, when a flood of connections arrives.
 * </ul>
 *
 * A connection that has shown the token (an agent's) is left to the server's idle timeout. Jetty
 * reads headers without blocking, so a slow client costs a connection's memory here, never one of
 * the server's threads.
 */
final class ConnectionGuard implements Connection.Listener {
  private final Scheduler scheduler;
  private final Duration deadline;
  private final int cap;
  /** Unproven connections in the order they opened, with the task that closes them. */
  private final Map<Connection, Scheduler.Task> unproven = new LinkedHashMap<>();
  private final AtomicLong closed = new AtomicLong();

  ConnectionGuard(Scheduler scheduler, Duration deadline, int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be >= 1, got " + cap);
    }
    this.scheduler = scheduler;
    this.deadline = deadline;
    this.cap = cap;
  }

  @Override
  public void onOpened(Connection connection) {
    Scheduler.Task task = scheduler.schedule(() -> {
      if (forget(connection)) {
        close(connection);
      }
    }, deadline.toMillis(), TimeUnit.MILLISECONDS);
    Connection oldest = null;
    synchronized (this) {
      unproven.put(connection, task);
      if (unproven.size() > cap) {
        Iterator<Map.Entry<Connection, Scheduler.Task>> first = unproven.entrySet().iterator();
        Map.Entry<Connection, Scheduler.Task> e = first.next();
        first.remove();
        e.getValue().cancel();
        oldest = e.getKey();
      }
    }
    if (oldest != null) {
      close(oldest);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    forget(connection);
  }

  /** The connection carried a request with the right token: it is an agent's. */
  void proven(Connection connection) {
    forget(connection);
  }

  /** Connections closed for want of a token in time, or to make room. */
  long closed() {
    return closed.get();
  }

  /** True when the connection was unproven until now. */
  private boolean forget(Connection connection) {
    Scheduler.Task task;
    synchronized (this) {
      task = unproven.remove(connection);
    }
    if (task != null) {
      task.cancel();
    }
    return task != null;
  }

  private void close(Connection connection) {
    closed.incrementAndGet();
    connection.getEndPoint().close();
  }
}
