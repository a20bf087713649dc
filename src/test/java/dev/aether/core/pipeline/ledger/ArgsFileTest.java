package dev.aether.core.pipeline.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArgsFileTest {
  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of("a\nb\n", List.of("a", "b"), List.of(1, 2)),
        Arguments.of("a\nb", List.of("a", "b"), List.of(1, 2)),
        Arguments.of("a\r\nb\r\n", List.of("a", "b"), List.of(1, 2)),
        Arguments.of("\uFEFFa\n", List.of("a"), List.of(1)),
        Arguments.of("# comment\n\n  \t\nx\n", List.of("x"), List.of(4)),
        Arguments.of(" #not a comment\n", List.of(" #not a comment"), List.of(1)),
        Arguments.of("trailing  \t\n", List.of("trailing  \t"), List.of(1)),
        Arguments.of("-x --y\n", List.of("-x --y"), List.of(1)),
        Arguments.of("a\\\nb\n", List.of("a\\", "b"), List.of(1, 2)),
        Arguments.of("", List.of(), List.of()));
  }

  @ParameterizedTest
  @MethodSource("files")
  void keepsJobLinesAsWrittenAndSkipsBlankAndCommentLines(String text, List<String> jobs,
      List<Integer> lines) {
    ArgsFile args = ArgsFile.parse(text);
    assertThat(args.jobs()).isEqualTo(jobs);
    assertThat(args.lines()).isEqualTo(lines);
  }

  @Test
  void hashIgnoresCommentsButNotJobs() {
    String base = ArgsFile.parse("a\nb\n").sha256();
    assertThat(ArgsFile.parse("# new comment\na\n\nb\n").sha256()).isEqualTo(base);
    assertThat(ArgsFile.parse("a\nb \n").sha256()).isNotEqualTo(base);
    assertThat(ArgsFile.parse("b\na\n").sha256()).isNotEqualTo(base);
    assertThat(ArgsFile.parse("ab\n").sha256()).isNotEqualTo(ArgsFile.parse("a\nb\n").sha256());
  }

  @Test
  void rejectsNulCharactersNamingTheLine() {
    assertThatThrownBy(() -> ArgsFile.parse("ok\nbad\0line\n"))
        .isInstanceOf(AetherException.class).hasMessageContaining("line 2");
  }

  @Test
  void refusesALineLongerThanOneArgumentMayBeNamingTheLine() {
    String longest = "x".repeat(ArgsFile.MAX_LINE_BYTES);
    assertThat(ArgsFile.parse("ok\n" + longest + "\n").jobs()).containsExactly("ok", longest);
    // 200 KiB, and a line whose UTF-8 (3 bytes a character) is over the limit though its
    // characters are not
    for (String line : List.of("y".repeat(200 * 1024), "\u65e5".repeat(50_000))) {
      assertThatThrownBy(() -> ArgsFile.parse("ok\n# c\n" + line + "\n"))
          .isInstanceOf(AetherException.class)
          .hasMessageStartingWith("line 3 of the args file (-A) is")
          .hasMessageContaining("MAX_ARG_STRLEN")
          .extracting(e -> ((AetherException) e).exitStatus())
          .isEqualTo(AetherException.INVALID_INPUT);
    }
  }

  @Test
  void aLineAtTheLimitReachesTheScriptWhole(@TempDir Path dir) throws Exception {
    // The limit is the kernel's: one byte more and execve fails with E2BIG.
    Path script = Files.writeString(dir.resolve("len.sh"), "#!/bin/sh\nprintf %s \"$1\" | wc -c\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions
        .fromString("rwxr-xr-x"));
    String longest = "x".repeat(ArgsFile.MAX_LINE_BYTES);
    Process ok = new ProcessBuilder(script.toString(), longest).redirectErrorStream(true).start();
    assertThat(new String(ok.getInputStream().readAllBytes()).strip())
        .isEqualTo(Integer.toString(ArgsFile.MAX_LINE_BYTES));
    assertThatThrownBy(() -> new ProcessBuilder(script.toString(), longest + "x").start())
        .hasMessageContaining("Argument list too long");
  }

  @Test
  void rejectsAFileWithNoJobs(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("args.txt"), "# only a comment\n\n");
    assertThatThrownBy(() -> ArgsFile.read(f))
        .isInstanceOf(AetherException.class).hasMessageContaining("has no jobs")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @Test
  void rejectsTextThatIsNotUtf8(@TempDir Path dir) throws Exception {
    Path f = Files.write(dir.resolve("args.txt"), new byte[] {'a', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> ArgsFile.read(f)).hasMessageContaining("not UTF-8");
  }
}
