package dev.aether.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * picocli's messages about a value of the wrong type, in the user's words: "-P: 'two' is not a
 * whole number", not "'two' is not an int".
 */
final class UserWords {
  private static final Pattern NOT_A = Pattern.compile(
      "Invalid value for (?:option|positional parameter) '([^']+)': '(.*)' is not an? ([\\w.]+)");
  private static final Pattern CANNOT_CONVERT = Pattern.compile(
      "Invalid value for (?:option|positional parameter) '([^']+)': cannot convert '(.*)' to"
          + " ([\\w.]+)");
  private static final Map<String, String> TYPES = Map.of(
      "int", "a whole number", "long", "a whole number", "java.lang.Integer", "a whole number",
      "double", "a number", "float", "a number", "java.lang.Double", "a number",
      "java.math.BigDecimal", "a number", "BigDecimal", "a number",
      "java.nio.file.Path", "a file name", "java.net.URI", "an address (URL)");

  private UserWords() {}

  static String of(String message) {
    Matcher m = NOT_A.matcher(message);
    if (!m.find()) {
      m = CANNOT_CONVERT.matcher(message);
    }
    if (m.find(0)) {
      return m.group(1) + ": '" + m.group(2) + "' is not "
          + TYPES.getOrDefault(m.group(3), "a valid value");
    }
    return message;
  }
}
