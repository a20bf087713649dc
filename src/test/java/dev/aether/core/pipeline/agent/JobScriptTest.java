package dev.aether.core.pipeline.agent;

import dev.aether.core.pipeline.coordinator.Lease;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobScriptTest {
  @TempDir Path dir;

  @Test
  void passesTheSixParametersInTheSeedsOrder() throws Exception {
    Path script = Files.writeString(dir.resolve("s.sh"), "#!/bin/sh\n");
    JobScript js = new JobScript(script, Optional.empty(), Optional.empty(), 8, 4, "head", "10.0.0.5", false);
    assertThat(js.command("a b; $(c)", Path.of("/out")))
        .containsExactly(script.toString(), "a b; $(c)", "2", "0.225", "head", "/out", "10.0.0.5");
  }

  @Test
  void runsScriptsWithoutAShebangWithBash() throws Exception {
    Path script = Files.writeString(dir.resolve("s.sh"), "echo hi\n");
    JobScript js = new JobScript(script, Optional.empty(), Optional.empty(), 1, 1, "h", "ip", false);
    assertThat(js.command("x", dir)).startsWith("/bin/bash", script.toString(), "x");
  }

  @Test
  void givesEachJobBinWithANoOpTerminateJobAndData() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("tool"), "#!/bin/sh\n");
    Files.writeString(bin.resolve("terminate_job.sh"), "#!/bin/sh\nshutdown -h now\n");
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("in.txt"), "input");
    Path script = Files.writeString(dir.resolve("s.sh"),
        "#!/bin/bash\nterminate_job.sh && cat data/in.txt > \"$5/seen\" && test -L bin/tool\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions
        .fromString("rwxr-xr-x"));
    JobScript js = new JobScript(script, Optional.of(bin), Optional.of(data), 1, 1, "h", "ip", false);

    Path work = dir.resolve("work");
    Path out = dir.resolve("out");
    Process p = js.start(new Lease(1, 1, "x"), work, out, dir.resolve("log"));

    assertThat(p.waitFor()).as(Files.readString(dir.resolve("log"))).isZero();
    assertThat(Files.readString(out.resolve("seen"))).isEqualTo("input");
    assertThat(Files.readString(bin.resolve("terminate_job.sh"))).contains("shutdown");
    JobScript.deleteTree(work);
    assertThat(work).doesNotExist();
    assertThat(data.resolve("in.txt")).as("links are not followed when deleting").exists();
  }

  @Test
  void givesEachJobAnAddEbsStorageThatCallsTheNodesAetherOrSaysItNeedsACloudNode()
      throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.writeString(bin.resolve("add_ebs_storage.sh"), "#!/bin/sh\naws ec2 create-volume\n");
    Path script = Files.writeString(dir.resolve("s.sh"),
        "add_ebs_storage.sh 100 scratch\necho \"status $?\"\n"); // no #!: run by bash
    JobScript js = new JobScript(script, Optional.of(bin), Optional.empty(), 1, 1, "h", "ip", true);

    Process p = js.start(new Lease(1, 1, "x"), dir.resolve("work"), dir.resolve("out"),
        dir.resolve("log"));

    assertThat(p.waitFor()).isZero();
    String helper = Files.readString(dir.resolve("work/bin/add_ebs_storage.sh"));
    assertThat(helper).contains("exec java -jar /opt/aether/aether.jar attach-storage \"$1\" \"$2\"")
        .doesNotContain("aws ec2");
    if (!Files.exists(Path.of("/opt/aether/aether.jar"))) {
      assertThat(Files.readString(dir.resolve("log")))
          .contains("add_ebs_storage.sh: needs a cloud node started by aether", "status 2");
    }
  }

  @Test
  void givesNoAddEbsStorageWhereTheProviderCannotAttachDisks() throws Exception {
    Path script = Files.writeString(dir.resolve("s.sh"), "ls bin\n");
    JobScript js = new JobScript(script, Optional.empty(), Optional.empty(), 1, 1, "h", "ip", false);

    Process p = js.start(new Lease(1, 1, "x"), dir.resolve("work"), dir.resolve("out"),
        dir.resolve("log"));

    assertThat(p.waitFor()).isZero();
    assertThat(dir.resolve("work/bin/terminate_job.sh")).exists();
    assertThat(dir.resolve("work/bin/add_ebs_storage.sh")).doesNotExist();
    assertThat(Files.readString(dir.resolve("log"))).doesNotContain("add_ebs_storage");
  }
}
