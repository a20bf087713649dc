package dev.aether.providers.ssh;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where one host is reached, as the user wrote it: {@code [user@]host[:port]}. The host may be an
 * alias from the user's {@code ~/.ssh/config}; an absent user or port falls back to that config,
 * then to ssh's defaults (the local user name, port 22). IPv6 addresses are kept without their
 * brackets.
 */
record SshAddress(Optional<String> user, String host, Optional<Integer> port) {
  // Conservative on purpose: these end up as ssh arguments, so nothing may start with '-'
  // (it would be read as an option) and nothing a shell or ssh_config token could expand.
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  private static final Pattern IPV6 =
      Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
  private static final Pattern FORM = Pattern.compile(
      "(?:(?<user>[^@]*)@)?(?:\\[(?<v6>[^\\]]*)\\]|(?<name>[^\\[\\]:]*))(?::(?<port>[^:]*))?");

  SshAddress {
    user.ifPresent(u -> {
      if (!USER.matcher(u).matches()) {
        throw new IllegalArgumentException("user name '" + u + "' is not a valid user name");
      }
    });
    if (!(NAME.matcher(host).matches() || IPV6.matcher(host).matches())) {
      throw new IllegalArgumentException("host '" + host + "' is not a host name or address");
    }
    port.ifPresent(p -> {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("port " + p + " is not between 1 and 65535");
      }
    });
  }

  boolean isIpv6() {
    return host.contains(":");
  }

  /**
   * Reads {@code [user@]host[:port]}, IPv6 in brackets ({@code [fd00::2]:2222}).
   *
   * @throws IllegalArgumentException saying what is wrong, in the user's words
   */
  static SshAddress parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("expected [user@]host[:port]");
    }
    if (!text.contains("[") && text.indexOf(':') != text.lastIndexOf(':')) {
      String bare = text.substring(text.indexOf('@') + 1);
      throw new IllegalArgumentException(
          "IPv6 address " + bare + " must be in brackets: [" + bare + "] or [" + bare + "]:22");
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not [user@]host[:port]"
          + " (IPv6 in brackets: [fd00::2]:22)");
    }
    Optional<String> user = Optional.ofNullable(m.group("user"));
    if (user.isPresent() && user.get().isEmpty()) {
      throw new IllegalArgumentException("the user name before '@' is empty in '" + text + "'");
    }
    String host = m.group("v6") != null ? m.group("v6") : m.group("name");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("the host is missing in '" + text + "'");
    }
    if (m.group("v6") != null && !host.contains(":")) {
      throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
    }
    if (m.group("v6") == null && host.startsWith("-")) {
      throw new IllegalArgumentException("host '" + host + "' may not start with '-'");
    }
    Optional<Integer> port = Optional.empty();
    String p = m.group("port");
    if (p != null) {
      if (!p.matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("port '" + p + "' is not a number");
      }
      port = Optional.of(Integer.parseInt(p));
    }
    return new SshAddress(user, host, port);
  }

  /** As a hosts file line writes it: {@code user@host:port}, IPv6 in brackets. */
  @Override
  public String toString() {
    String h = isIpv6() ? "[" + host + "]" : host;
    return user.map(u -> u + "@").orElse("") + h + port.map(p -> ":" + p).orElse("");
  }
}
