package dev.aether.core.pipeline.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job's processes. The job's script starts in a process group (and session) of its own, by
 * {@code setsid}; whatever it starts joins that group, also once the script has ended. Killing the
 * job kills the whole group, so nothing it started outlives it: not a background {@code &}, not a
 * child left behind by a script that exited.
 *
 * <p>Linux has no call to list a group, and Java none to signal one, so the group's members are
 * found in {@code /proc} and killed one by one (SIGKILL), round after round until none is left (a
 * member may fork while it is being killed). A process that makes a session of its own (a daemon
 * calling {@code setsid}) leaves the group; {@link #withEnvironment} finds those by the
 * {@code AETHER_NODE} every job inherits.
 */
final class ProcessGroup {
  private static final Optional<String> SETSID = Optional.of("/usr/bin/setsid")
      .filter(p -> Files.isExecutable(Path.of(p)))
      .or(() -> Optional.of("/bin/setsid").filter(p -> Files.isExecutable(Path.of(p))));
  private static final File PROC = new File("/proc");
  private static final int ROUNDS = 10;

  private ProcessGroup() {}

  /** {@code command} run as the leader of a new process group, where this system can. */
  static List<String> leading(List<String> command) {
    if (SETSID.isEmpty()) {
      return command;
    }
    // The JVM's child is not a group leader, so setsid(1) calls setsid(2) and execs the script in
    // the same process, without forking: the Process's pid is the group's id.
    List<String> all = new ArrayList<>(command.size() + 1);
    all.add(SETSID.get());
    all.addAll(command);
    return all;
  }

  /** Whether jobs get groups of their own here (false: only their descendants are killed). */
  static boolean supported() {
    return SETSID.isPresent() && PROC.isDirectory();
  }

  /**
   * Kills the group led by {@code leader} (its id is the leader's pid): the leader first, so that
   * it cannot run another line once a child is gone, then every member, until none is left.
   */
  static void kill(ProcessHandle leader) {
    List<ProcessHandle> descendants = leader.descendants().toList();
    leader.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    killGroup(leader.pid());
  }

  /** Kills whatever is left in the group {@code pgid}, e.g. once its leader has ended. */
  static void killGroup(long pgid) {
    if (!supported()) {
      return;
    }
    for (int round = 0; round < ROUNDS; round++) {
      List<Long> members = members(pgid);
      if (members.isEmpty()) {
        return;
      }
      for (long pid : members) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Processes in group {@code pgid} now (zombies included until reaped). */
  static List<Long> members(long pgid) {
    List<Long> found = new ArrayList<>();
    byte[] buf = new byte[512];
    for (long pid : pids()) {
      long group = groupOf(pid, buf);
      if (group == pgid) {
        found.add(pid);
      }
    }
    return found;
  }

  /**
   * Processes whose environment holds {@code entry} (e.g. {@code AETHER_NODE=local-ab12cd-1}):
   * every job of a node, and anything they started, wherever it went.
   */
  static List<Long> withEnvironment(String entry) {
    List<Long> found = new ArrayList<>();
    byte[] needle = entry.getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    for (long pid : pids()) {
      if (pid == self) {
        continue;
      }
      try {
        byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        if (contains(env, needle)) {
          found.add(pid);
        }
      } catch (IOException | SecurityException e) {
        // gone, or not ours to read
      }
    }
    return found;
  }

  private static long[] pids() {
    String[] names = PROC.list();
    if (names == null) {
      return new long[0];
    }
    long[] pids = new long[names.length];
    int n = 0;
    for (String name : names) {
      if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
        try {
          pids[n++] = Long.parseLong(name);
        } catch (NumberFormatException e) {
          // not a process
        }
      }
    }
    return java.util.Arrays.copyOf(pids, n);
  }

  /** Field 5 of /proc/PID/stat (after "pid (comm) state ppid"); -1 when gone. */
  private static long groupOf(long pid, byte[] buf) {
    int len;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      len = in.read(buf);
    } catch (IOException e) {
      return -1;
    }
    int i = len - 1;
    while (i > 0 && buf[i] != ')') {
      i--; // comm may hold spaces and parentheses: the last ')' ends it
    }
    int field = 0;
    long value = 0;
    for (int j = i + 2; j < len; j++) {
      if (buf[j] == ' ') {
        if (++field == 3) {
          return value;
        }
      } else if (field == 2) {
        value = value * 10 + (buf[j] - '0');
      }
    }
    return -1;
  }

  /** Whether one of the NUL-separated entries of {@code env} is exactly {@code entry}. */
  private static boolean contains(byte[] env, byte[] entry) {
    outer:
    for (int i = 0; i + entry.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < entry.length; j++) {
        if (env[i + j] != entry[j]) {
          continue outer;
        }
      }
      int end = i + entry.length;
      if (end == env.length || env[end] == 0) {
        return true;
      }
    }
    return false;
  }
}
