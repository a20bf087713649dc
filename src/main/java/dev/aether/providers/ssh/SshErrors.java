package dev.aether.providers.ssh;

import dev.aether.providers.ssh.SshException.Kind;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates what OpenSSH's client prints when it cannot log in (exit status 255) into one line
 * per failure kind that names the host and the fix. The one place that reads ssh's messages; they
 * have been stable across OpenSSH releases (sshconnect.c, sshconnect2.c), and anything not
 * recognised is passed on as ssh wrote it.
 */
final class SshErrors {
  private static final Pattern DENIED = Pattern.compile("Permission denied \\(([^)]*)\\)");

  private SshErrors() {}

  static SshException loginFailed(SshEndpoint to, String stderr, Duration connectTimeout) {
    String host = "host " + to.name();
    String kh = to.knownHostsFile();
    String fingerprint = "ssh-keyscan " + to.keyscanArgs() + " | ssh-keygen -lf -";
    if (stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
        || stderr.contains("has changed and you have requested strict checking")) {
      return new SshException(Kind.CHANGED_HOST_KEY, host + ": refused, its host key has CHANGED"
          + " from the one in " + kh + " (someone may be intercepting the connection, or the host"
          + " was reinstalled); if you know why, remove the old key (ssh-keygen -f " + kh + " -R '"
          + to.knownHostsName() + "') and add the new one after checking its fingerprint ("
          + fingerprint + ")");
    }
    if (stderr.contains("host key is known for")
        || stderr.contains("Host key verification failed.") && !stderr.contains("REVOKED")) {
      return new SshException(Kind.UNKNOWN_HOST_KEY, host + ": refused, its host key is not in "
          + kh + "; check the key's fingerprint with the host's owner (" + fingerprint
          + "), then add it: ssh-keyscan " + to.keyscanArgs() + " >> " + kh);
    }
    Matcher denied = DENIED.matcher(stderr);
    if (denied.find() || stderr.contains("Too many authentication failures")) {
      String methods = denied.find(0) ? " (" + denied.group(1) + ")" : "";
      return new SshException(Kind.AUTH_REFUSED, host + ": user " + to.user() + " was refused"
          + methods + "; check the user name (in the hosts file or User in ~/.ssh/config), that"
          + " your key is in your agent (ssh-add -l) or named by IdentityFile, and that its"
          + " public key is in ~" + to.user() + "/.ssh/authorized_keys on that host");
    }
    String where = to.hostname() + " port " + to.port();
    if (stderr.contains("timed out")) {
      return timedOut(to, connectTimeout);
    }
    if (stderr.contains("Connection refused")) {
      return new SshException(Kind.UNREACHABLE, host + ": " + where + " refused the connection;"
          + " is sshd running there, on that port?");
    }
    for (String reason : List.of("No route to host", "Network is unreachable",
        "Could not resolve hostname", "Name or service not known", "nodename nor servname")) {
      if (stderr.contains(reason)) {
        return new SshException(Kind.UNREACHABLE,
            host + ": cannot reach " + where + " (" + lastLine(stderr) + ")");
      }
    }
    if (stderr.contains("Connection closed by") || stderr.contains("Connection reset by")
        || stderr.contains("kex_exchange_identification")) {
      return new SshException(Kind.UNREACHABLE, host + ": " + where + " closed the connection"
          + " before login (" + lastLine(stderr) + "); is it an SSH server that lets this"
          + " machine in?");
    }
    return new SshException(Kind.FAILED, host + ": ssh failed: " + lastLine(stderr));
  }

  static SshException timedOut(SshEndpoint to, Duration connectTimeout) {
    String where = to.hostname() + " port " + to.port();
    return new SshException(Kind.UNREACHABLE, "host " + to.name() + ": no answer from " + where
        + " within " + connectTimeout.toSeconds() + "s; check that the host is up, the address"
        + " is right, and port " + to.port() + " is open to this machine");
  }

  /** ssh's own last words: the line that says what finally went wrong. */
  static String lastLine(String stderr) {
    List<String> lines = Arrays.stream(stderr.split("\\R")).map(String::strip)
        .filter(l -> !l.isEmpty()).toList();
    return lines.isEmpty() ? "no message" : lines.get(lines.size() - 1);
  }
}
