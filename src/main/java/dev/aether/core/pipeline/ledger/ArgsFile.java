package dev.aether.core.pipeline.ledger;

import dev.aether.core.AetherException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The jobs of an args file (-A), in file order.
 *
 * <p>A line that is blank (empty or only white space) or whose first character is {@code #} is not
 * a job. Every other line is one job and is passed to the script as {@code $1} exactly as written:
 * only the line terminator ({@code \n} or {@code \r\n}) is removed; spaces, tabs, quotes, {@code $},
 * globs and leading dashes stay. Jobs are numbered from 1 among jobs only, so adding a comment does
 * not renumber anything.
 *
 * @param jobs the job lines, job {@code i} at index {@code i - 1}
 * @param lines the file line each job came from (1-based), same order
 * @param sha256 hash of the job list (not of comments or blank lines): what a rerun compares
 */
public record ArgsFile(List<String> jobs, List<Integer> lines, String sha256) {
  /**
   * The longest job line, in UTF-8 bytes: Linux passes one argument of at most
   * {@code MAX_ARG_STRLEN} = 32 pages = 131,072 bytes, its terminating NUL included
   * (include/uapi/linux/binfmts.h; execve(2) "Limits on size of arguments"). A longer line
   * could never start: every attempt would fail with "Argument list too long".
   */
  public static final int MAX_LINE_BYTES = 32 * 4096 - 1;

  public ArgsFile {
    jobs = List.copyOf(jobs);
    lines = List.copyOf(lines);
    if (jobs.size() != lines.size()) {
      throw new IllegalArgumentException("jobs and lines differ in length");
    }
  }

  public int size() {
    return jobs.size();
  }

  public static ArgsFile read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw AetherException.invalidInput(
          "cannot read the args file " + file + " (-A): " + e.getMessage());
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw AetherException.invalidInput(
          "the args file " + file + " (-A) is not UTF-8 text; save it as UTF-8 and run again");
    }
    ArgsFile args = parse(text);
    if (args.size() == 0) {
      throw AetherException.invalidInput("the args file " + file
          + " (-A) has no jobs: every line is blank or a # comment; write one job per line");
    }
    return args;
  }

  /** Parses args file text; see the class comment for the rules. */
  public static ArgsFile parse(String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // a UTF-8 byte order mark is not part of the first job
    }
    List<String> jobs = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    MessageDigest digest = newSha256();
    int lineNumber = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      int next = end < 0 ? text.length() : end + 1;
      if (end < 0) {
        end = text.length();
      }
      if (end > start && text.charAt(end - 1) == '\r') {
        end--;
      }
      String line = text.substring(start, end);
      lineNumber++;
      start = next;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.indexOf('\0') >= 0) {
        throw AetherException.invalidInput("line " + lineNumber + " of the args file (-A) holds a"
            + " NUL character, which no program can receive as an argument; remove it");
      }
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      if (b.length > MAX_LINE_BYTES) {
        throw AetherException.invalidInput("line " + lineNumber + " of the args file (-A) is "
            + b.length + " bytes long, over the " + MAX_LINE_BYTES + " bytes this system passes"
            + " as one argument (MAX_ARG_STRLEN), so its job could never start; put the long"
            + " value in a file under -D and pass the file's name instead");
      }
      jobs.add(line);
      lines.add(lineNumber);
      // Length-prefixed so that no two different job lists hash alike.
      digest.update(ByteBuffer.allocate(4).putInt(b.length).array());
      digest.update(b);
    }
    return new ArgsFile(jobs, lines, HexFormat.of().formatHex(digest.digest()));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
