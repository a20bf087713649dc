package dev.aether.providers.ssh;

import dev.aether.providers.ssh.LocalCommand.Result;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Real OpenSSH servers for tests, each on a "host" of its own: a network namespace ({@code ip
 * netns}) joined to this machine (the launcher) by a veth pair with a private /30 made here
 * ({@code 10.213.X.4i/30}: the launcher's end .4i+1, the host's .4i+2), running
 * {@code /usr/sbin/sshd -D} with its own config and host key on the host's address, port 22. The
 * client side lives in a temporary home: a key pair, an ssh_config naming each host by an alias,
 * and a known_hosts, so the real {@code ~/.ssh} is never read or written (ssh takes its home from
 * the password database, not $HOME, so the tests pass {@code -F} through {@link #settings()}).
 *
 * <p>Isolation: each namespace's nftables output chain lets out only loopback traffic and replies
 * to connections made into it, and rejects everything else. So a host can answer SSH but cannot
 * open a connection to the launcher (its veth address, or anything else); its only way back is a
 * tunnel carried by an SSH connection. The namespace has no route beyond its /30 either.
 *
 * <p>Kinds of host: with Java (the filesystem is shared, so the launcher's Java 17 runs there);
 * without Java (its sshd sets a PATH with every /usr/bin program but java); with a host key not in
 * known_hosts; with a changed host key (known_hosts holds another key); silent (its sshd runs but
 * SYNs to port 22 are dropped, like a firewalled or powered-off machine).
 *
 * <p>Cleanup: {@link #close()} (run after all tests, failed or not, and by a shutdown hook) kills
 * every process in the namespaces and deletes them (which deletes the veths) and the temporary
 * folder. Names carry this JVM's pid ({@code aeth-ssh-<pid>-<i>}), so leftovers of a killed run
 * are recognised and removed when the next run starts, and parallel runs leave each other alone.
 *
 * <p>Needs root and {@code tools/ssh-test-hosts.sh}; with {@code CI=true} missing parts fail the
 * tests, elsewhere they are skipped with the reason.
 */
final class SshTestHosts implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  static final String PREFIX = "aeth-ssh-";
  private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+");
  private static final Pattern OUR_VETH = Pattern.compile("as(\\d+)[rh]\\d+");
  private static final Duration STEP = Duration.ofSeconds(20);
  // Numbers hosts across every fixture of this JVM, so their names never meet.
  private static final java.util.concurrent.atomic.AtomicInteger NUMBER =
      new java.util.concurrent.atomic.AtomicInteger();

  enum Kind { JAVA, NO_JAVA, UNKNOWN_KEY, CHANGED_KEY, SILENT }

  /** One test host: its alias in the client config, namespace, and both ends of its veth. */
  record Host(String alias, Kind kind, String namespace, String address, String launcherAddress) {
    /** The host as a hosts.txt line names it: by its alias in the test ssh_config. */
    SshAddress sshAddress() {
      return SshAddress.parse(alias);
    }
  }

  private final List<Map.Entry<String, Kind>> wanted = new ArrayList<>();
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<Process> sshds = new ArrayList<>();
  private final long pid = ProcessHandle.current().pid();
  private Path dir;
  private Thread hook;

  SshTestHosts withHost(String alias) {
    return add(alias, Kind.JAVA);
  }

  SshTestHosts withHostWithoutJava(String alias) {
    return add(alias, Kind.NO_JAVA);
  }

  SshTestHosts withUnknownKeyHost(String alias) {
    return add(alias, Kind.UNKNOWN_KEY);
  }

  SshTestHosts withChangedKeyHost(String alias) {
    return add(alias, Kind.CHANGED_KEY);
  }

  SshTestHosts withSilentHost(String alias) {
    return add(alias, Kind.SILENT);
  }

  private SshTestHosts add(String alias, Kind kind) {
    wanted.add(Map.entry(alias, kind));
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  Host host(String alias) {
    Host h = hosts.get(alias);
    if (h == null) {
      throw new IllegalArgumentException("no test host " + alias + " (have " + hosts.keySet() + ")");
    }
    return h;
  }

  List<Host> hosts() {
    return List.copyOf(hosts.values());
  }

  /** {@code $HOME} of the sessions on {@code host} (each host has its own). */
  Path homeOf(Host host) {
    return dir.resolve("hosts/" + host.alias() + "/home");
  }

  /** The temporary home: {@code .ssh/config}, {@code .ssh/known_hosts}, {@code .ssh/id_ed25519}. */
  Path home() {
    return dir.resolve("home");
  }

  Path sshConfig() {
    return home().resolve(".ssh/config");
  }

  Path knownHosts() {
    return home().resolve(".ssh/known_hosts");
  }

  Path identity() {
    return home().resolve(".ssh/id_ed25519");
  }

  /** ssh as a user with this fixture's home would call it: no agent, 3 s connect timeout. */
  SshSettings settings() {
    return settings(sshConfig(), Optional.empty());
  }

  SshSettings settings(Path config, Optional<Path> agentSocket) {
    try {
      Path control = Files.createDirectories(dir.resolve("cm"));
      return new SshSettings("ssh", Optional.of(config), Duration.ofSeconds(3),
          Duration.ofSeconds(20), control, Map.of(
              "HOME", Optional.of(home().toString()),
              "SSH_AUTH_SOCK", agentSocket.map(Path::toString)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command inside a host's namespace (not over SSH), as a process on that host would. */
  Result inHost(Host host, String... command) throws IOException, TimeoutException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
    c.addAll(List.of(command));
    return LocalCommand.run(c, Map.of(), Optional.empty(), STEP);
  }

  /** Namespaces of this run that exist now. */
  List<String> liveNamespaces() throws IOException, TimeoutException {
    return namespaces().stream().filter(n -> n.startsWith(PREFIX + pid + "-")).toList();
  }

  void start() throws Exception {
    requirePrerequisites();
    removeLeftovers();
    dir = Files.createTempDirectory(Path.of("/tmp"), PREFIX + pid + "-");
    hook = new Thread(this::closeQuietly, "ssh-test-hosts");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Files.createDirectories(home().resolve(".ssh"));
      Files.createDirectories(dir.resolve("authorized"));
      keygen(identity());
      Files.copy(Path.of(identity() + ".pub"), dir.resolve("authorized/root"));
      // sshd refuses to start without its privilege separation folder (systemd makes it).
      Files.createDirectories(Path.of("/run/sshd"));
      int octet = freeOctet();
      StringBuilder knownHosts = new StringBuilder();
      StringBuilder config = new StringBuilder();
      int i = 0;
      for (Map.Entry<String, Kind> w : wanted) {
        int number = NUMBER.getAndIncrement();
        Host h = new Host(w.getKey(), w.getValue(), PREFIX + pid + "-" + number,
            "10.213." + octet + "." + (4 * i + 2), "10.213." + octet + "." + (4 * i + 1));
        hosts.put(h.alias(), h);
        String hostKey = makeHost(h, number);
        if (h.kind() == Kind.CHANGED_KEY) {
          Path other = dir.resolve("hosts/" + h.alias() + "/other_key");
          keygen(other);
          hostKey = publicKey(other);
        }
        if (h.kind() != Kind.UNKNOWN_KEY) {
          knownHosts.append(h.address()).append(' ').append(hostKey).append('\n');
        }
        config.append("Host ").append(h.alias()).append("\n  HostName ").append(h.address())
            .append('\n');
        i++;
      }
      Files.writeString(knownHosts(), knownHosts);
      config.append("Host *\n  User root\n")
          .append("  UserKnownHostsFile ").append(knownHosts()).append('\n')
          .append("  GlobalKnownHostsFile /dev/null\n")
          .append("  IdentityFile ").append(identity()).append('\n')
          .append("  IdentitiesOnly yes\n");
      Files.writeString(sshConfig(), config);
    } catch (Exception | Error e) {
      closeQuietly();
      throw e;
    }
  }

  // Makes one host's namespace, veth, firewall and sshd; returns its host key's public part.
  private String makeHost(Host h, int number) throws Exception {
    String ns = h.namespace();
    // Interface names have at most 15 characters: "as" + pid (at most 7 digits) + r/h + number.
    String outside = "as" + pid + "r" + number;
    String inside = "as" + pid + "h" + number;
    sh("ip", "netns", "add", ns);
    sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns);
    sh("ip", "addr", "add", h.launcherAddress() + "/30", "dev", outside);
    sh("ip", "link", "set", outside, "up");
    sh("ip", "-n", ns, "addr", "add", h.address() + "/30", "dev", inside);
    sh("ip", "-n", ns, "link", "set", inside, "up");
    sh("ip", "-n", ns, "link", "set", "lo", "up");
    // Out of the host: loopback, and replies to connections made to it. Nothing else, so it
    // cannot call the launcher (or anything) except back through an SSH tunnel.
    nft(ns, "table inet aether_isolation {\n"
        + "  chain output {\n"
        + "    type filter hook output priority 0; policy accept;\n"
        + "    oifname \"lo\" accept\n"
        + "    ct state established,related accept\n"
        + "    meta l4proto tcp reject with tcp reset\n"
        + "    reject\n"
        + "  }\n"
        + "}\n");
    Path hd = Files.createDirectories(dir.resolve("hosts/" + h.alias()));
    Path hostKey = hd.resolve("ssh_host_ed25519_key");
    keygen(hostKey);
    StringBuilder cfg = new StringBuilder()
        .append("ListenAddress ").append(h.address()).append(":22\n")
        .append("HostKey ").append(hostKey).append('\n')
        .append("PidFile none\n")
        .append("AuthorizedKeysFile ").append(dir.resolve("authorized")).append("/%u\n")
        // The key files live under /tmp, which StrictModes would refuse (world-writable).
        .append("StrictModes no\n")
        .append("UsePAM no\n")
        .append("PasswordAuthentication no\n")
        .append("KbdInteractiveAuthentication no\n")
        .append("PermitRootLogin prohibit-password\n")
        .append("AllowTcpForwarding yes\n")
        .append("GatewayPorts no\n")
        .append("X11Forwarding no\n")
        .append("PrintMotd no\n")
        .append("LogLevel VERBOSE\n");
    // Each host has a home of its own (the file system is shared): SetEnv overrides the HOME
    // sshd takes from the password database. sshd reads only the first SetEnv line.
    Path hostHome = Files.createDirectories(hd.resolve("home"));
    cfg.append("SetEnv HOME=").append(hostHome);
    if (h.kind() == Kind.NO_JAVA) {
      // ... and for this host a PATH with every program but java.
      cfg.append(" PATH=").append(noJavaBin());
    }
    cfg.append('\n');
    Path cfgFile = Files.writeString(hd.resolve("sshd_config"), cfg);
    Process sshd = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/sshd", "-D", "-e",
        "-f", cfgFile.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(hd.resolve("sshd.log").toFile())
        .start();
    sshds.add(sshd);
    awaitListening(h, sshd, hd.resolve("sshd.log"));
    if (h.kind() == Kind.SILENT) {
      nft(ns, "table inet aether_silent {\n"
          + "  chain input {\n"
          + "    type filter hook input priority -10; policy accept;\n"
          + "    tcp dport 22 drop\n"
          + "  }\n"
          + "}\n");
    }
    return publicKey(hostKey);
  }

  // Waits for the event (sshd accepting on its address), bounded; a dead sshd fails at once.
  private void awaitListening(Host h, Process sshd, Path log) throws Exception {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(h.address(), 22), 1000);
        return;
      } catch (IOException notYet) {
        if (!sshd.isAlive()) {
          throw new IllegalStateException("sshd for test host " + h.alias() + " exited: "
              + Files.readString(log));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("sshd for test host " + h.alias() + " did not listen on "
              + h.address() + ":22 within " + STEP.toSeconds() + "s: " + Files.readString(log));
        }
        sshd.waitFor(50, TimeUnit.MILLISECONDS);
      }
    }
  }

  private Path noJavaBin() throws IOException {
    Path bin = dir.resolve("nojava-bin");
    if (Files.isDirectory(bin)) {
      return bin;
    }
    Files.createDirectories(bin);
    try (Stream<Path> programs = Files.list(Path.of("/usr/bin"))) {
      for (Path p : programs.toList()) {
        String name = p.getFileName().toString();
        if (!name.equals("java")) {
          Files.createSymbolicLink(bin.resolve(name), p);
        }
      }
    }
    return bin;
  }

  @Override
  public void close() {
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // close() is the hook itself.
      }
      hook = null;
    }
    List<String> problems = new ArrayList<>();
    for (Host h : hosts.values()) {
      try {
        removeNamespace(h.namespace());
      } catch (Exception e) {
        problems.add(h.namespace() + ": " + e.getMessage());
      }
    }
    hosts.clear();
    for (Process p : sshds) {
      LocalCommand.stop(p);
    }
    sshds.clear();
    if (dir != null) {
      deleteTree(dir);
      dir = null;
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("test hosts not cleaned up: " + problems);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      // Reported when close() is called directly; a shutdown hook has no one to tell.
    }
  }

  // Every process inside the namespace (sshd, its sessions, what they started) goes first: a
  // deleted namespace does not stop its processes.
  private static void removeNamespace(String ns) throws Exception {
    if (!namespaces().contains(ns)) {
      return;
    }
    List<ProcessHandle> inside = LocalCommand.run(List.of("ip", "netns", "pids", ns), Map.of(),
        Optional.empty(), STEP).stdout().lines().map(String::strip).filter(l -> l.matches("\\d+"))
        .map(Long::parseLong).map(ProcessHandle::of).flatMap(Optional::stream).toList();
    inside.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : inside) {
      try {
        p.onExit().get(3, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        p.destroyForcibly();
      }
    }
    sh("ip", "netns", "delete", ns);
  }

  // Namespaces, root-side veths and folders of runs whose JVM is gone.
  private static void removeLeftovers() throws Exception {
    for (String ns : namespaces()) {
      Matcher m = OURS.matcher(ns);
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        removeNamespace(ns);
      }
    }
    for (String link : LocalCommand.run(List.of("ip", "-o", "link", "show"), Map.of(),
        Optional.empty(), STEP).stdout().lines().toList()) {
      Matcher m = Pattern.compile("^\\d+: (as\\d+[rh]\\d+)[@:]").matcher(link);
      if (m.find()) {
        Matcher v = OUR_VETH.matcher(m.group(1));
        if (v.matches() && !alive(Long.parseLong(v.group(1)))) {
          sh("ip", "link", "delete", m.group(1));
        }
      }
    }
    try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
      for (Path p : tmp.toList()) {
        Matcher m = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*")
            .matcher(p.getFileName().toString());
        if (m.matches() && !alive(Long.parseLong(m.group(1))) && Files.isDirectory(p)) {
          deleteTree(p);
        }
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  static List<String> namespaces() throws IOException, TimeoutException {
    return LocalCommand.run(List.of("ip", "netns", "list"), Map.of(), Optional.empty(), STEP)
        .stdout().lines().map(l -> l.split("\\s+")[0]).filter(l -> !l.isEmpty()).toList();
  }

  // A third octet no address or route of this machine uses yet (another run may hold one).
  private int freeOctet() throws Exception {
    String used = LocalCommand.run(List.of("ip", "-4", "-o", "addr", "show"), Map.of(),
        Optional.empty(), STEP).stdout()
        + LocalCommand.run(List.of("ip", "-4", "route", "show"), Map.of(), Optional.empty(), STEP)
        .stdout();
    for (int k = 0; k < 200; k++) {
      int octet = 16 + (int) ((pid + k) % 200);
      if (!used.contains("10.213." + octet + ".")) {
        return octet;
      }
    }
    throw new IllegalStateException("no free 10.213.X.0/24 for test hosts");
  }

  private static void requirePrerequisites() throws Exception {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen",
        "/usr/bin/ssh-agent", "/usr/bin/ssh-add", "/usr/sbin/nft")) {
      if (!Files.isExecutable(Path.of(tool))) {
        missing.add(tool);
      }
    }
    Result ip = LocalCommand.run(List.of("sh", "-c", "command -v ip && id -u"), Map.of(),
        Optional.empty(), STEP);
    if (ip.exitCode() != 0) {
      missing.add("ip (iproute2)");
    } else if (!ip.stdout().strip().lines().reduce((a, b) -> b).orElse("").equals("0")) {
      missing.add("root (ip netns needs it)");
    }
    if (!missing.isEmpty()) {
      String why = "SSH test hosts need " + missing + ": run tools/ssh-test-hosts.sh as root";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(why);
      }
      throw new TestAbortedException(why);
    }
  }

  private static void keygen(Path key) throws Exception {
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "aether-test", "-f", key.toString());
  }

  private static String publicKey(Path key) throws IOException {
    String[] parts = Files.readString(Path.of(key + ".pub")).strip().split(" ");
    return parts[0] + " " + parts[1];
  }

  private static void nft(String ns, String rules) throws Exception {
    Result r = LocalCommand.run(List.of("ip", "netns", "exec", ns, "nft", "-f", "-"), Map.of(),
        Optional.of(new ByteArrayInputStream(rules.getBytes(StandardCharsets.UTF_8))), STEP);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("nft in " + ns + " failed: " + r.stderr());
    }
  }

  private static void sh(String... command) throws Exception {
    Result r = LocalCommand.run(List.of(command), Map.of(), Optional.empty(), STEP);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + r.stderr().strip());
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
