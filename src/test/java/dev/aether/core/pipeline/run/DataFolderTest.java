package dev.aether.core.pipeline.run;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fault 8 of issue 16: links in -D were followed and their targets uploaded. */
class DataFolderTest {
  @TempDir Path dir;

  @Test
  void linksThatStayInsideTheFolderAreFine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/sub"));
    Files.writeString(data.resolve("a.txt"), "a");
    Files.createSymbolicLink(dir.resolve("data/link.txt"), Path.of("sub/a.txt"));
    Files.createSymbolicLink(dir.resolve("data/sublink"), data);
    assertThatCode(() -> DataFolder.check(dir.resolve("data"))).doesNotThrowAnyException();
  }

  @Test
  void aLinkThatLeavesTheFolderIsRefusedNamingIt() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/deep"));
    Path secret = Files.writeString(dir.resolve("id_rsa"), "key");
    Files.createSymbolicLink(data.resolve("key"), secret);
    assertThatThrownBy(() -> DataFolder.check(dir.resolve("data")))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("the data folder (-D) holds a link that leaves it: "
            + data.resolve("key") + " -> " + secret.toRealPath())
        .hasMessageContaining("cp -rL")
        .matches(e -> ((AetherException) e).exitStatus() == AetherException.INVALID_INPUT);
  }

  @Test
  void aLinkToAFolderOutsideOrToNothingIsRefused() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createSymbolicLink(data.resolve("etc"), Path.of("/etc"));
    assertThatThrownBy(() -> DataFolder.check(data)).hasMessageContaining("leaves it");
    Files.delete(data.resolve("etc"));
    Files.createSymbolicLink(data.resolve("gone"), dir.resolve("nothing-here"));
    assertThatThrownBy(() -> DataFolder.check(data)).hasMessageContaining("points nowhere")
        .hasMessageContaining(data.resolve("gone").toString());
  }
}
