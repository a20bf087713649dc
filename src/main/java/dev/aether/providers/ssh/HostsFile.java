package dev.aether.providers.ssh;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user's machines for {@code --provider ssh --hosts hosts.txt}: one {@code [user@]host[:port]}
 * a line, optionally followed by {@code slots=N} (jobs it runs at once; without it the coordinator
 * decides from the host's size). Blank lines and lines starting with {@code #} are ignored, and so
 * is a {@code #} comment after an entry. For example:
 *
 * <pre>
 * # lab machines
 * alice@gpu1.lab.example.org slots=2
 * build-box                     # an alias from ~/.ssh/config
 * [fd00::7]:2222 slots=8
 * </pre>
 *
 * @param source the file as the user named it, for messages
 */
record HostsFile(String source, List<Entry> entries) {
  /** One host: where it is, the slots the user gave, and the line it came from (from 1). */
  record Entry(SshAddress address, Optional<Integer> slots, int line) {
    Entry {
      slots.ifPresent(s -> {
        if (s < 1) {
          throw new IllegalArgumentException("slots must be at least 1");
        }
      });
      if (line < 1) {
        throw new IllegalArgumentException("line numbers start at 1");
      }
    }
  }

  HostsFile {
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a hosts file needs at least one host");
    }
  }

  /** Reads {@code file}; any problem is one line naming the file (and the line) at fault. */
  static HostsFile read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw AetherException.invalidInput("hosts file " + file + " does not exist");
    } catch (MalformedInputException e) {
      throw AetherException.invalidInput("hosts file " + file + " is not UTF-8 text");
    } catch (IOException e) {
      throw AetherException.invalidInput("cannot read hosts file " + file + ": " + e.getMessage());
    }
    return parse(file.toString(), lines);
  }

  /** Parses the lines of a hosts file; {@code source} names it in messages. */
  static HostsFile parse(String source, List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String text = withoutComment(lines.get(i)).strip();
      if (text.isEmpty()) {
        continue;
      }
      Entry entry;
      try {
        entry = entry(text, number);
      } catch (IllegalArgumentException e) {
        throw AetherException.invalidInput(
            source + " line " + number + ": " + e.getMessage());
      }
      Integer first = seen.putIfAbsent(entry.address().toString(), number);
      if (first != null) {
        throw AetherException.invalidInput(source + " line " + number + ": "
            + entry.address() + " is already listed on line " + first
            + " (give one line slots=N instead)");
      }
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      throw AetherException.invalidInput(source + " lists no hosts: write one [user@]host[:port]"
          + " a line, e.g. alice@node1.example.org slots=4");
    }
    return new HostsFile(source, entries);
  }

  private static String withoutComment(String line) {
    String s = line.stripLeading();
    if (s.startsWith("#")) {
      return "";
    }
    // A '#' after white space starts a comment; inside a word it is left for the parser to refuse.
    for (int i = 1; i < line.length(); i++) {
      if (line.charAt(i) == '#' && Character.isWhitespace(line.charAt(i - 1))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static Entry entry(String text, int number) {
    String[] words = text.split("\\s+");
    SshAddress address = SshAddress.parse(words[0]);
    Optional<Integer> slots = Optional.empty();
    for (int w = 1; w < words.length; w++) {
      String word = words[w];
      if (!word.startsWith("slots=")) {
        throw new IllegalArgumentException("unexpected '" + word + "' after " + words[0]
            + " (only slots=N may follow the host)");
      }
      if (slots.isPresent()) {
        throw new IllegalArgumentException("slots= is given twice");
      }
      String n = word.substring("slots=".length());
      if (!n.matches("[0-9]{1,6}") || Integer.parseInt(n) < 1) {
        throw new IllegalArgumentException(
            "slots must be a whole number of at least 1, got '" + n + "'");
      }
      slots = Optional.of(Integer.parseInt(n));
    }
    return new Entry(address, slots, number);
  }
}
