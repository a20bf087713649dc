package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code aether attach-storage SIZE DEVMNT} as a job calls it. */
class AttachStorageCommandTest {
  /** Nothing listens here: as on a machine that is not an EC2 instance. */
  private static final String NO_IMDS = "--imds-endpoint=http://127.0.0.1:9";

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = ';', value = {
    "0;         scratch;     SIZE must be 1 to 16384 (GB), got 0",
    "16385;     scratch;     SIZE must be 1 to 16384 (GB), got 16385",
    "-5;        scratch;     SIZE must be 1 to 16384",
    "100G;      scratch;     SIZE must be a whole number of GB (1 to 16384), got '100G'",
    "ten;       scratch;     got 'ten'",
    "100;       ../etc;      DEVMNT must be a simple name",
    "100;       a/b;         DEVMNT must be a simple name",
    "100;       'x y';       DEVMNT must be a simple name",
    "100;       '$(reboot)'; got '$(reboot)'",
    "100;       '';          DEVMNT must be a simple name",
  })
  void badInputIsOneLineAndExitTwo(String size, String name, String message) {
    CliRun r = CliRun.of("attach-storage", NO_IMDS, "--", size, name);

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).startsWith("aether: ").contains(message);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void offACloudNodeItSaysSoWithExitTwo() {
    CliRun r = CliRun.of("attach-storage", NO_IMDS, "100", "scratch-disk_1");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("attach-storage needs a cloud node started by aether");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void isListedInHelp() {
    CliRun r = CliRun.of("attach-storage", "--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("SIZE", "DEVMNT", "/mnt/DEVMNT").doesNotContain("imds");
  }
}
