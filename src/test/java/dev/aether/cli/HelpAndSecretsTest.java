package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelpAndSecretsTest {
  @Test
  void helpListsEverySeedFlag() {
    CliRun run = CliRun.of("--help");
    assertThat(run.status()).isEqualTo(0);
    assertThat(run.out()).contains("-I, --interactive", "--dry-run", "-A, --input-file",
        "-L, --provisioning-file", "-P, --processors", "-M, --memory", "-N, --name",
        "-E, --key-ID", "-K, --key", "-R, --region", "-B, --bin-dir", "-S, --script",
        "-D, --data", "--catalog", "--limits", "--objective", "--risk-step", "--export-model",
        "--concurrency", "--max-cost", "--min-cores", "--min-ram", "--min-storage", "--weeks");
  }

  @Test
  void warnsAboutKeysOnTheCommandLineAndNeverPrintsThem(@TempDir Path dir) throws Exception {
    Path args = dir.resolve("args.txt");
    Files.writeString(args, "1\n");
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    CliRun run = CliRun.of("--dry-run", "-A", args.toString(), "-P", "1", "-M", "1",
        "-E", "AKIAIOSFODNN7EXAMPLE", "-K", secret, "-L", dir.resolve("p.psv").toString(),
        "--offline");
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.err()).contains("warning").contains("other users");
    assertThat(run.out() + run.err()).doesNotContain(secret);
    assertThat(Files.readString(dir.resolve("p.psv"))).doesNotContain(secret);
  }
}
