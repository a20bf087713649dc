package dev.aether.providers.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalStorageTest {
  @TempDir Path dir;

  @Test
  void storesReadsAndListsByPrefix() throws Exception {
    LocalStorage s = new LocalStorage(dir.resolve("bucket"));
    s.put("logs/2.log", "two".getBytes());
    s.put("logs/10.log", Files.writeString(dir.resolve("f"), "ten"));
    s.put("output/x", new byte[0]);
    assertThat(s.list("logs/")).containsExactly("logs/10.log", "logs/2.log");
    assertThat(s.list("logs/1")).containsExactly("logs/10.log");
    assertThat(s.list("nothing/")).isEmpty();
    assertThat(s.read("logs/2.log")).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("two"));
    assertThat(s.read("logs/3.log")).isEmpty();
    assertThat(s.get("logs/10.log", dir.resolve("copy"))).isTrue();
    assertThat(s.get("missing", dir.resolve("copy2"))).isFalse();
    assertThat(s.localPath("output/")).contains(dir.resolve("bucket/output"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape", "/etc/passwd", "a/../../b", ".."})
  void refusesKeysThatLeaveTheBucket(String key) {
    LocalStorage s = new LocalStorage(dir.resolve("bucket"));
    assertThatThrownBy(() -> s.put(key, new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
