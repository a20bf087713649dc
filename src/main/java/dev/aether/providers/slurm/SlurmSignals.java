package dev.aether.providers.slurm;

import dev.aether.core.spi.InterruptionNotices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Slurm's warning that an agent job is about to end, as an interruption notice: the agent then
 * kills its runs and hands their leases back uncounted (docs/interruptions.md), instead of
 * leaving them to expire.
 *
 * <ul>
 *   <li>{@code SIGUSR1}: the time limit is near. Agent jobs are submitted with
 *       {@code --signal=B:USR1@120}, which Slurm sends to the batch step's main process (the
 *       agent, which the job script {@code exec}s) about two minutes before {@code --time} ends
 *       (<a href="https://slurm.schedmd.com/sbatch.html#OPT_signal">sbatch --signal</a>).
 *   <li>{@code SIGTERM}: scancel, preemption or the time limit itself; Slurm sends SIGKILL
 *       {@code KillWait} seconds later (30 by default). The jobs' own processes get it too, so a
 *       job may end by it first and count as a failed attempt; either way it runs again.
 * </ul>
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported way to handle a signal (JEP 260 keeps it,
 * in module jdk.unsupported); javac warns that it is internal, which is expected.
 */
final class SlurmSignals implements InterruptionNotices {
  static final String TIME_SIGNAL = "USR1";
  /** Seconds before the time limit that Slurm warns the agent. */
  static final int WARN_SECONDS = 120;

  private final List<Signal> signals = List.of(new Signal(TIME_SIGNAL), new Signal("TERM"));
  private final List<SignalHandler> previous = new ArrayList<>();
  private final AtomicBoolean told = new AtomicBoolean();
  private volatile boolean closed;

  @Override
  public synchronized void watch(Consumer<String> onNotice) {
    if (!previous.isEmpty()) {
      throw new IllegalStateException("already watching");
    }
    for (Signal s : signals) {
      previous.add(Signal.handle(s, sig -> notice(sig, onNotice)));
    }
  }

  private void notice(Signal sig, Consumer<String> onNotice) {
    if (closed || !told.compareAndSet(false, true)) {
      return;
    }
    String why = sig.getName().equals(TIME_SIGNAL) ? "SIGUSR1 from Slurm: the job's time limit"
        + " is about " + WARN_SECONDS + " s away"
        : "SIGTERM from Slurm: the job is cancelled, preempted or at its time limit";
    // Off the signal's thread: the hand-back waits for runs to exit and for the coordinator.
    Thread t = new Thread(() -> onNotice.accept(why), "slurm-notice");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (int i = 0; i < previous.size(); i++) {
      Signal.handle(signals.get(i), previous.get(i));
    }
    previous.clear();
  }
}
