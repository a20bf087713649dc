package dev.aether.cli;

import dev.aether.core.AetherException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks questions for {@code -I}: shows the default in brackets, validates the answer and asks again
 * on bad input. Works at a terminal and with answers piped on standard input; secrets are read
 * without echo when a terminal is attached and are never printed.
 */
final class Prompter {
  private static final int MAX_TRIES = 5;
  private final BufferedReader in;
  private final PrintStream out;
  private final Console console;

  Prompter(BufferedReader in, PrintStream out, Console console) {
    this.in = in;
    this.out = out;
    this.console = console;
  }

  /**
   * Asks until {@code parse} accepts the answer (it throws IllegalArgumentException with the reason
   * otherwise). An empty answer takes {@code defaultValue} when there is one.
   */
  <T> T ask(String question, String defaultValue, Function<String, T> parse) {
    for (int tries = 0; tries < MAX_TRIES; tries++) {
      out.print(question + (defaultValue == null ? "" : " [" + defaultValue + "]") + ": ");
      out.flush();
      String answer = readLine(question).strip();
      if (answer.isEmpty() && defaultValue != null) {
        answer = defaultValue;
      }
      try {
        return parse.apply(answer);
      } catch (IllegalArgumentException e) {
        out.println("  " + e.getMessage() + "; please try again.");
      }
    }
    throw AetherException.invalidInput("no valid answer to '" + question + "' after "
        + MAX_TRIES + " tries");
  }

  /** Asks for a secret without echoing it; empty answer = empty Optional. */
  Optional<String> askSecret(String question) {
    String answer;
    if (console != null) {
      char[] typed = console.readPassword("%s: ", question);
      answer = typed == null ? "" : new String(typed);
    } else {
      out.print(question + ": ");
      out.flush();
      answer = readLine(question);
    }
    answer = answer.strip();
    return answer.isEmpty() ? Optional.empty() : Optional.of(answer);
  }

  private String readLine(String question) {
    try {
      String line = in.readLine();
      if (line == null) {
        out.println();
        throw AetherException.invalidInput(
            "-I: standard input ended before an answer to '" + question + "'");
      }
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
