package dev.aether.providers.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.spi.AetherProgram;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent job's script, run by bash with a stand-in for java that prints its arguments. */
class AgentScriptTest {
  @TempDir Path dir;

  @Test
  void execsTheAgentWithEveryWordIntactAndAJobFolderOnTheNode() throws Exception {
    Path java = dir.resolve("fake java");
    Files.writeString(java, "#!/bin/bash\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
        + "echo \"pid=$$ parent=$PPID\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Path bucket = Files.createDirectories(dir.resolve("it's a \"bucket\" $(touch pwned)"));
    Path token = dir.resolve("tok en");
    String body = AgentScript.body(new AetherProgram(List.of(java.toString(), "-cp", "a b")),
        new AgentScript.Agent(URI.create("http://10.0.0.1:4242"), "demo", bucket, token, 4, 16.0,
            Duration.ofSeconds(300)));
    Path script = Files.writeString(dir.resolve("agent.sh"), body, StandardCharsets.UTF_8);
    Path tmp = Files.createDirectories(dir.resolve("node-tmp"));

    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
        .directory(dir.toFile());
    pb.environment().put("TMPDIR", tmp.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();

    List<String> words = out.lines().toList();
    assertThat(words.subList(0, words.size() - 3)).containsExactly("-cp", "a b", "agent",
        "--provider", "slurm", "--coordinator", "http://10.0.0.1:4242", "--project", "demo",
        "--bucket", bucket.toString(), "--token-file", token.toString(), "--cores", "4",
        "--memory-gb", "16.0", "--lost-after", "300");
    assertThat(words.get(words.size() - 3)).isEqualTo("--work");
    // The job folder is a fresh one in the node's $TMPDIR.
    Path work = Path.of(words.get(words.size() - 2));
    assertThat(work).isDirectory().hasParent(tmp);
    assertThat(work.getFileName().toString()).startsWith("aether-agent.");
    // exec: the agent is the job's main process, which Slurm's --signal=B: reaches.
    assertThat(words.get(words.size() - 1)).startsWith("pid=" + p.pid() + " ");
    assertThat(dir.resolve("pwned")).doesNotExist();
  }

  @Test
  void quotesEachWordForTheShell() {
    assertThat(AgentScript.quote("plain")).isEqualTo("'plain'");
    assertThat(AgentScript.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(AgentScript.quote("$(x) `y` \"z\"")).isEqualTo("'$(x) `y` \"z\"'");
  }
}
