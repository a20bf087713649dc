package dev.aether.providers.slurm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process for {@link SlurmSignalsTest}: watches Slurm's signals, prints the notice, stops
 * watching, then waits to be ended.
 */
public final class SignalChild {
  private SignalChild() {}

  public static void main(String[] args) throws Exception {
    CompletableFuture<String> notice = new CompletableFuture<>();
    SlurmSignals signals = new SlurmSignals();
    signals.watch(notice::complete);
    System.out.println("watching");
    System.out.println("notice: " + notice.get(30, TimeUnit.SECONDS));
    signals.close();
    System.out.println("closed");
    Thread.sleep(30_000);
    System.out.println("not ended");
  }
}
