package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import dev.aether.providers.ssh.LocalCommand.Result;
import dev.aether.providers.ssh.SshException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every host before any is used: logs in (host key, user, reachability), finds Java 17 and
 * reads the host's size. All hosts are checked at once, and the batch starts only when every one
 * passed; otherwise nothing has been started anywhere and the user gets one line naming the first
 * host at fault and the fix (and the others that failed too).
 */
final class HostProbe {
  private static final Duration QUICK = Duration.ofSeconds(30);
  private static final String MARK = "AETHER-SIZE ";
  private static final Pattern SIZE = Pattern.compile(Pattern.quote(MARK) + "(\\d+) (\\d+)");
  // POSIX sh: processors usable here (nproc honours CPU affinity and cgroups; macOS and BSD have
  // sysctl), and memory in bytes (Linux /proc/meminfo, else sysctl hw.memsize).
  private static final String SIZE_SCRIPT = "c=$(nproc 2>/dev/null || getconf"
      + " _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null);"
      + " if [ -r /proc/meminfo ]; then m=$(awk '/^MemTotal:/ {printf \"%.0f\", $2 * 1024}'"
      + " /proc/meminfo); else m=$(sysctl -n hw.memsize 2>/dev/null); fi;"
      + " printf '" + MARK + "%s %s\\n' \"$c\" \"$m\"";

  private HostProbe() {}

  /**
   * Every entry, logged in and checked, in the hosts file's order.
   *
   * @throws AetherException exit status 2 when a host must be fixed first (its key, the user,
   *     Java, its address), else 1; the connections made so far are closed
   */
  static List<SshHost> checkAll(List<HostsFile.Entry> entries, SshSettings settings) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, entries.size()), r -> {
      Thread t = new Thread(r, "aether-ssh-check");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<SshHost>> checks = new ArrayList<>();
      for (HostsFile.Entry e : entries) {
        checks.add(pool.submit(() -> check(e, settings)));
      }
      List<SshHost> ok = new ArrayList<>();
      List<Failure> failed = new ArrayList<>();
      for (int i = 0; i < checks.size(); i++) {
        try {
          ok.add(checks.get(i).get());
        } catch (ExecutionException e) {
          failed.add(new Failure(entries.get(i), e.getCause() instanceof AetherException ae ? ae
              : new AetherException(AetherException.ERROR, "host " + entries.get(i).address()
                  + ": " + e.getCause(), e.getCause())));
        }
      }
      if (!failed.isEmpty()) {
        ok.forEach(h -> h.connection().close());
        throw refusal(failed);
      }
      return ok;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AetherException(AetherException.ERROR, "interrupted while checking the hosts", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static SshHost check(HostsFile.Entry entry, SshSettings settings) {
    SshConnection c = SshConnection.open(entry.address(), settings);
    try {
      int java = c.requireJava();
      Result r = c.run(SIZE_SCRIPT, QUICK);
      Matcher m = SIZE.matcher(r.stdout());
      if (!m.find() || Integer.parseInt(m.group(1)) < 1 || Long.parseLong(m.group(2)) < 1) {
        throw new SshException(Kind.FAILED, "host " + c.endpoint().name() + ": cannot tell its"
            + " processors and memory (nproc and /proc/meminfo, or sysctl): "
            + SshErrors.lastLine(r.stdout() + "\n" + r.stderr()));
      }
      double gb = Math.floor(Long.parseLong(m.group(2)) / 1e9 * 100) / 100;
      return new SshHost(entry, c, Integer.parseInt(m.group(1)), gb, java);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private record Failure(HostsFile.Entry entry, AetherException error) {}

  // One line: the first host's full message, then the others briefly.
  private static AetherException refusal(List<Failure> failed) {
    AetherException first = failed.get(0).error();
    boolean mustFix = failed.stream().anyMatch(
        f -> f.error().exitStatus() == AetherException.INVALID_INPUT);
    StringBuilder message = new StringBuilder(first.getMessage());
    if (failed.size() > 1) {
      message.append(" (").append(failed.size() - 1).append(" more host")
          .append(failed.size() > 2 ? "s" : "").append(" failed too: ");
      for (int i = 1; i < failed.size(); i++) {
        Failure f = failed.get(i);
        message.append(i > 1 ? ", " : "").append(f.entry().address()).append(" (")
            .append(f.error() instanceof SshException se ? se.kind().brief() : "failed")
            .append(')');
      }
      message.append(')');
    }
    message.append("; nothing was started");
    return new AetherException(mustFix ? AetherException.INVALID_INPUT : first.exitStatus(),
        message.toString(), first);
  }
}
