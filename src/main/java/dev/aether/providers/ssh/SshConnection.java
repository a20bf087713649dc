package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import dev.aether.providers.ssh.LocalCommand.Result;
import dev.aether.providers.ssh.SshException.Kind;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One logged-in SSH connection to a user's host, made by the system's OpenSSH client.
 *
 * <p>Why the system client and not a Java library (sshj, Apache MINA sshd): users already have
 * ssh working for these hosts, and the client itself is the only thing that honours all of it —
 * their agent (including hardware keys and macOS keychain agents), every {@code ~/.ssh/config}
 * feature (Host aliases, Match, Include, ProxyJump, ProxyCommand, certificates) and known_hosts
 * exactly as ssh checks it (hashed names, {@code @cert-authority}, {@code @revoked}). sshj reads
 * no ssh_config and needs a native add-on for the agent; MINA parses ssh_config but reaches the
 * agent only through Tomcat's native library. The cost is parsing ssh's error messages, done in
 * one place ({@link SshErrors}).
 *
 * <p>{@link #open} logs in once, as a ControlMaster ({@code ssh -M -N}) that this JVM owns; every
 * command, copy and tunnel after that reuses the master's socket, so there is one login and one
 * TCP connection per host. Always BatchMode (never a prompt) and StrictHostKeyChecking=yes (an
 * unknown or changed host key is refused, never added); no agent or X11 forwarding to the host;
 * no terminal ({@code -T}) and every remote command run as {@code sh -c '...'}, so no login shell
 * prints a banner into the output.
 */
final class SshConnection implements AutoCloseable {
  /** The oldest Java that runs {@code aether agent}. */
  static final int JAVA_NEEDED = 17;

  private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
  private static final String SHA_MARK = "AETHER-SHA256 ";
  private static final String NO_JAVA_MARK = "AETHER-NO-JAVA";
  private static final String PATH_MARK = "AETHER-PATH ";
  // A POSIX sh function: sha256 of stdin with whichever tool the host has (Linux, macOS, BSD).
  private static final String SUM = "s() { if command -v sha256sum >/dev/null 2>&1; then"
      + " sha256sum; elif command -v shasum >/dev/null 2>&1; then shasum -a 256; else"
      + " echo 'neither sha256sum nor shasum is installed' >&2; exit 4; fi; }; ";
  private static final Duration QUICK = Duration.ofSeconds(30);
  private static final AtomicInteger SOCKETS = new AtomicInteger();
  private static final Set<SshConnection> OPEN = ConcurrentHashMap.newKeySet();

  static {
    // A master outlives the JVM unless stopped: stop the ones still open when it exits.
    Runtime.getRuntime().addShutdownHook(
        new Thread(() -> List.copyOf(OPEN).forEach(SshConnection::close), "ssh-masters"));
  }

  private final SshSettings settings;
  private final SshEndpoint endpoint;
  private final Path socket;
  private final Path masterLog;
  private final Process master;
  private final Map<Integer, Tunnel> tunnels = new HashMap<>();

  private SshConnection(SshSettings settings, SshEndpoint endpoint, Path socket, Path masterLog,
      Process master) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.socket = socket;
    this.masterLog = masterLog;
    this.master = master;
  }

  /**
   * Logs in to {@code address}, or fails with one line naming the host and the fix (unknown or
   * changed host key, user refused, unreachable within the connect timeout).
   */
  static SshConnection open(SshAddress address, SshSettings settings) {
    SshEndpoint endpoint = resolve(address, settings);
    privateFolder(settings.controlDir());
    String name = "c" + SOCKETS.incrementAndGet();
    Path socket = settings.controlDir().resolve(name);
    Path log = settings.controlDir().resolve(name + ".log");
    List<String> command = options(address, settings, socket);
    command.addAll(List.of("-M", "-N", "-o", "ControlPersist=no",
        "-o", "ExitOnForwardFailure=yes", "-o", "ClearAllForwardings=yes",
        // A host that vanishes is noticed within a minute, and its tunnels with it.
        "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4",
        "--", address.host()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile());
    settings.environment().forEach((k, v) -> v.ifPresentOrElse(
        value -> builder.environment().put(k, value), () -> builder.environment().remove(k)));
    Process master = start(builder);
    SshConnection connection = new SshConnection(settings, endpoint, socket, log, master);
    OPEN.add(connection);
    try {
      connection.awaitLogin();
      return connection;
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  // The master creates its control socket only once it is logged in; it exits if it cannot.
  private void awaitLogin() {
    long deadline = System.nanoTime() + settings.loginTimeout().toNanos();
    try {
      while (!Files.exists(socket)) {
        if (!master.isAlive()) {
          throw SshErrors.loginFailed(endpoint, readLog(), settings.connectTimeout());
        }
        if (System.nanoTime() > deadline) {
          throw new SshException(Kind.UNREACHABLE, "host " + endpoint.name() + ": the login to "
              + endpoint.hostname() + " port " + endpoint.port() + " did not finish within "
              + settings.loginTimeout().toSeconds() + "s; is the host overloaded, or its sshd"
              + " stuck?");
        }
        master.waitFor(20, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": interrupted while"
          + " logging in", e);
    }
  }

  /** Where this connection really goes (after ~/.ssh/config). */
  SshEndpoint endpoint() {
    return endpoint;
  }

  /** True while the master is logged in. */
  boolean isOpen() {
    return master.isAlive() && Files.exists(socket);
  }

  /**
   * Runs {@code script} on the host with {@code sh -c}; {@code args} become $1, $2, ... (quoted, so
   * nothing in them is interpreted). {@code stdin} is the only way to hand the remote process a
   * secret: it never appears on a command line there or here.
   *
   * @return its exit status and output; a non-zero status is the caller's to judge
   */
  Result run(String script, List<String> args, Optional<InputStream> stdin, Duration timeout) {
    if (!master.isAlive()) {
      throw lost();
    }
    List<String> command = options(endpoint.address(), settings, socket);
    command.addAll(List.of("-T", "-o", "ControlMaster=no", "--", endpoint.address().host(),
        remoteCommand(script, args)));
    Result result;
    try {
      result = LocalCommand.run(command, settings.environment(), stdin, timeout);
    } catch (TimeoutException e) {
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": a remote command did"
          + " not finish within " + timeout.toSeconds() + "s", e);
    } catch (IOException e) {
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": cannot run ssh: "
          + e.getMessage(), e);
    }
    if (result.exitCode() == 255 && !master.isAlive()) {
      throw lost();
    }
    return result;
  }

  Result run(String script, Duration timeout) {
    return run(script, List.of(), Optional.empty(), timeout);
  }

  /**
   * Starts {@code script} on the host as {@link #run} does, without waiting for it: returns the
   * local ssh process that carries the session. What is written to that process's stdin reaches
   * the remote script's stdin (the only way a secret goes there); the remote output and ssh's own
   * messages are appended to {@code log}. When the local process ends, or is killed, the session
   * closes and the remote script reads end of file.
   */
  Process launch(String script, List<String> args, Path log) {
    if (!master.isAlive()) {
      throw lost();
    }
    List<String> command = options(endpoint.address(), settings, socket);
    command.addAll(List.of("-T", "-o", "ControlMaster=no", "--", endpoint.address().host(),
        remoteCommand(script, args)));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    settings.environment().forEach((k, v) -> v.ifPresentOrElse(
        value -> builder.environment().put(k, value), () -> builder.environment().remove(k)));
    return start(builder);
  }

  /** The master's own messages so far (why it ended, when it has), for a one-line report. */
  String masterMessages() {
    return readLog();
  }

  /**
   * Copies {@code local} to {@code remotePath} on the host (relative paths are from the remote
   * user's home), unless the file there already has the same SHA-256. The new file is written
   * beside the old one and renamed into place only once its SHA-256 is right, so a broken copy
   * never replaces a good one.
   *
   * @return true if it was copied, false if the host already had it
   */
  boolean copy(Path local, String remotePath, Duration timeout) {
    String want = sha256(local);
    // cd: relative paths are from $HOME, wherever sshd started the session.
    Result have = run(SUM + "cd || exit 4; [ -f \"$1\" ] || exit 0; h=$(s < \"$1\") || exit 4;"
        + " printf '" + SHA_MARK + "%s\\n' \"${h%% *}\"", List.of(remotePath), Optional.empty(),
        QUICK);
    if (have.exitCode() != 0) {
      throw copyFailed(local, remotePath, have);
    }
    if (marked(have.stdout(), SHA_MARK).filter(want::equalsIgnoreCase).isPresent()) {
      return false;
    }
    String write = SUM + "set -e; cd; umask 077; mkdir -p -- \"$(dirname -- \"$1\")\";"
        + " t=\"$1.aether-part.$$\"; cat > \"$t\"; h=$(s < \"$t\"); h=${h%% *};"
        + " if [ \"$h\" != \"$2\" ]; then rm -f -- \"$t\";"
        + " echo \"the copy there has sha256 $h, not $2\" >&2; exit 3; fi; mv -f -- \"$t\" \"$1\"";
    Result wrote;
    try (InputStream in = Files.newInputStream(local)) {
      wrote = run(write, List.of(remotePath, want), Optional.of(in), timeout);
    } catch (IOException e) {
      throw new SshException(Kind.FAILED, "cannot read " + local + ": " + e.getMessage(), e);
    }
    if (wrote.exitCode() != 0) {
      throw copyFailed(local, remotePath, wrote);
    }
    return true;
  }

  /**
   * Opens a reverse tunnel: a port on the host's loopback (chosen by its sshd) that leads, through
   * this connection, to {@code launcherPort} on this machine's loopback. Nothing is opened on this
   * machine's network; on the host only processes on the host itself reach the tunnel (its sshd
   * binds it to loopback unless its admin set {@code GatewayPorts yes}). Asking again for the
   * same launcher port returns the tunnel already open.
   */
  synchronized Tunnel reverseTunnel(int launcherPort) {
    if (launcherPort < 1 || launcherPort > 65535) {
      throw new IllegalArgumentException("port " + launcherPort + " is not between 1 and 65535");
    }
    Tunnel open = tunnels.get(launcherPort);
    if (open != null) {
      return open;
    }
    Result r = control("forward", "-R", forwardSpec(launcherPort));
    Matcher port = Pattern.compile("(?m)^(\\d{1,5})$").matcher(r.stdout());
    if (r.exitCode() != 0 || !port.find()) {
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": cannot open a tunnel back"
          + " to this machine (" + SshErrors.lastLine(r.stderr()) + "); does its sshd allow it"
          + " (AllowTcpForwarding yes)?");
    }
    Tunnel tunnel = new Tunnel(Integer.parseInt(port.group(1)), launcherPort);
    tunnels.put(launcherPort, tunnel);
    return tunnel;
  }

  // The master knows a forward by how it was asked for, port 0 included: a cancel naming the
  // port the server chose is answered "ok" and cancels nothing (OpenSSH 9.2, mux.c). The same
  // request twice gets the same forward, hence one Tunnel per launcher port.
  private static String forwardSpec(int launcherPort) {
    return "127.0.0.1:0:127.0.0.1:" + launcherPort;
  }

  /**
   * Checks that the host has Java {@value #JAVA_NEEDED} or newer on the PATH a non-interactive
   * shell gets (the one {@code aether agent} will be started from).
   *
   * @return its major version
   */
  int requireJava() {
    Result r = run("printf '" + PATH_MARK + "%s\\n' \"$PATH\"; if command -v java >/dev/null 2>&1;"
        + " then java -version 2>&1; else echo " + NO_JAVA_MARK + "; fi", QUICK);
    String path = marked(r.stdout(), PATH_MARK).orElse("?");
    if (r.stdout().lines().anyMatch(NO_JAVA_MARK::equals)) {
      throw new SshException(Kind.NO_JAVA, "host " + endpoint.name() + ": no java on the PATH"
          + " that a non-interactive shell gets there (" + path + "); Aether needs Java "
          + JAVA_NEEDED + " or newer on each host: install it (e.g. apt-get install"
          + " openjdk-17-jre-headless) or put it on that PATH");
    }
    OptionalInt major = javaMajor(r.stdout());
    if (major.isEmpty()) {
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": cannot tell the Java"
          + " version from 'java -version': " + SshErrors.lastLine(r.stdout() + r.stderr()));
    }
    if (major.getAsInt() < JAVA_NEEDED) {
      throw new SshException(Kind.OLD_JAVA, "host " + endpoint.name() + ": its java is version "
          + major.getAsInt() + "; Aether needs Java " + JAVA_NEEDED + " or newer there");
    }
    return major.getAsInt();
  }

  /** The major version in {@code java -version} output: 1.8.0_392 is 8, 17.0.15 is 17. */
  static OptionalInt javaMajor(String versionOutput) {
    Matcher m = JAVA_VERSION.matcher(versionOutput);
    if (!m.find()) {
      return OptionalInt.empty();
    }
    int first = Integer.parseInt(m.group(1));
    if (first == 1 && m.group(2) != null) {
      return OptionalInt.of(Integer.parseInt(m.group(2)));
    }
    return OptionalInt.of(first);
  }

  /** Logs out: tunnels close, the master ends, its socket goes. */
  @Override
  public void close() {
    if (!OPEN.remove(this)) {
      return;
    }
    if (master.isAlive()) {
      try {
        if (Files.exists(socket)) {
          control("exit");
        }
      } catch (SshException e) {
        // The master did not answer: it is stopped below all the same.
      }
      try {
        if (!master.waitFor(5, TimeUnit.SECONDS)) {
          LocalCommand.stop(master);
        }
      } catch (InterruptedException e) {
        master.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(masterLog);
    } catch (IOException e) {
      // A leftover file in the run's private control folder harms nothing.
    }
  }

  /** A reverse tunnel: {@code 127.0.0.1:remotePort} on the host leads to this machine. */
  final class Tunnel implements AutoCloseable {
    private final int remotePort;
    private final int launcherPort;

    private Tunnel(int remotePort, int launcherPort) {
      this.remotePort = remotePort;
      this.launcherPort = launcherPort;
    }

    int remotePort() {
      return remotePort;
    }

    /** Stops forwarding (the connection stays open). */
    @Override
    public void close() {
      synchronized (SshConnection.this) {
        if (tunnels.remove(launcherPort, this) && master.isAlive()) {
          Result r = control("cancel", "-R", forwardSpec(launcherPort));
          if (r.exitCode() != 0) {
            throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": cannot close the"
                + " tunnel from its port " + remotePort + ": " + SshErrors.lastLine(r.stderr()));
          }
        }
      }
    }
  }

  private Result control(String operation, String... forward) {
    List<String> command = options(endpoint.address(), settings, socket);
    command.addAll(List.of("-O", operation));
    command.addAll(List.of(forward));
    command.addAll(List.of("--", endpoint.address().host()));
    try {
      return LocalCommand.run(command, settings.environment(), Optional.empty(), QUICK);
    } catch (TimeoutException | IOException e) {
      throw new SshException(Kind.FAILED, "host " + endpoint.name() + ": ssh -O " + operation
          + " failed: " + e.getMessage(), e);
    }
  }

  private static SshEndpoint resolve(SshAddress address, SshSettings settings) {
    List<String> command = options(address, settings, Optional.empty());
    command.addAll(List.of("-G", "--", address.host()));
    Result r;
    try {
      r = LocalCommand.run(command, settings.environment(), Optional.empty(), QUICK);
    } catch (IOException e) {
      throw noSsh(settings, e);
    } catch (TimeoutException e) {
      throw new SshException(Kind.FAILED, "host " + address + ": ssh -G did not answer", e);
    }
    Optional<SshEndpoint> endpoint = SshEndpoint.fromSshG(address, r.stdout());
    if (r.exitCode() != 0 || endpoint.isEmpty()) {
      throw new SshException(Kind.FAILED, "host " + address + ": ssh cannot read its settings"
          + " for it: " + SshErrors.lastLine(r.stderr()));
    }
    return endpoint.get();
  }

  private static List<String> options(SshAddress address, SshSettings settings, Path socket) {
    return options(address, settings, Optional.of(socket));
  }

  private static List<String> options(SshAddress address, SshSettings settings,
      Optional<Path> socket) {
    List<String> c = new ArrayList<>(List.of(settings.ssh()));
    settings.configFile().ifPresent(f -> c.addAll(List.of("-F", f.toString())));
    c.addAll(List.of("-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", "ConnectTimeout=" + settings.connectTimeout().toSeconds(),
        "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "PermitLocalCommand=no"));
    socket.ifPresent(s -> c.addAll(List.of("-o", "ControlPath=" + s)));
    address.user().ifPresent(u -> c.addAll(List.of("-l", u)));
    address.port().ifPresent(p -> c.addAll(List.of("-p", Integer.toString(p))));
    return c;
  }

  // ssh joins its arguments into one string that the remote user's login shell parses: so the
  // script and each argument are single-quoted, which sh, bash, zsh and fish all read alike.
  static String remoteCommand(String script, List<String> args) {
    StringBuilder b = new StringBuilder("sh -c ").append(quote(script)).append(" aether");
    args.forEach(a -> b.append(' ').append(quote(a)));
    return b.toString();
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  // Whoever can open a control socket can run commands on the host as the user: owner only.
  private static void privateFolder(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      }
    } catch (IOException e) {
      throw new SshException(Kind.FAILED, "cannot make the folder for SSH control sockets " + dir
          + ": " + e.getMessage(), e);
    }
  }

  private static Process start(ProcessBuilder builder) {
    try {
      return builder.start();
    } catch (IOException e) {
      throw noSsh(null, e);
    }
  }

  private static AetherException noSsh(SshSettings settings, IOException e) {
    String program = settings == null ? "ssh" : settings.ssh();
    return AetherException.invalidInput("cannot run the OpenSSH client '" + program + "' ("
        + e.getMessage() + "); install it (e.g. apt-get install openssh-client) or put it on PATH");
  }

  private SshException lost() {
    return new SshException(Kind.LOST, "host " + endpoint.name() + ": the SSH connection was lost"
        + " (" + SshErrors.lastLine(readLog()) + ")");
  }

  private SshException copyFailed(Path local, String remotePath, Result r) {
    return new SshException(Kind.FAILED, "host " + endpoint.name() + ": copying " + local
        + " to " + remotePath + " failed: " + SshErrors.lastLine(r.stderr() + "\n" + r.stdout()));
  }

  private String readLog() {
    try {
      return Files.readString(masterLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static Optional<String> marked(String output, String mark) {
    return output.lines().filter(l -> l.startsWith(mark))
        .map(l -> l.substring(mark.length()).strip()).findFirst();
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new SshException(Kind.FAILED, "cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
