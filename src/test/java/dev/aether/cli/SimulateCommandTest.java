package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.AetherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code aether simulate} through real argument lists. */
class SimulateCommandTest {
  @TempDir Path dir;
  private Path catalog;

  @BeforeEach
  void files() throws Exception {
    // one type: on-demand $0.10, spot $0.05 and never interrupted
    catalog = dir.resolve("tiny.csv");
    Files.writeString(catalog, "instance_type,vcpus,memory_gib,region,on_demand_price,zone,"
        + "spot_price,interruption_rate\ns.large,2,4,us-east-1,0.10,use1-az1,0.05,0.0\n");
    Files.writeString(dir.resolve("args.txt"), "a\nb\nc\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "no hours;           --jobs 10 -P 1 -M 1;                             --hours",
    "zero hours;         --jobs 10 -P 1 -M 1 --hours 0;                   --hours",
    "no processors;      --jobs 10 -M 1 --hours 2;                        -P/--processors",
    "no jobs;            -P 1 -M 1 --hours 2;                             -A/--input-file ARGS or --jobs N",
    "jobs twice;         -A args.txt --jobs 3 -P 1 -M 1 --hours 2;        -A/--input-file ARGS or --jobs N",
    "zero runs;          --jobs 10 -P 1 -M 1 --hours 2 --runs 0;          --runs",
    "bad share;          --jobs 10 -P 1 -M 1 --hours 2 --reclaim-share 2; --reclaim-share",
    "bad objective;      --jobs 10 -P 1 -M 1 --hours 2 --objective x;     --objective",
    "unknown region;     --jobs 10 -P 1 -M 1 --hours 2 -R mars-north-1;  -R/--region",
    "missing catalog;    --jobs 10 -P 1 -M 1 --hours 2 --catalog no.csv;  --catalog",
    "runs not a number;  --jobs 10 -P 1 -M 1 --hours 2 --runs many;       --runs",
  })
  void badInputIsOneLineAndExitTwo(String name, String args, String names) {
    List<String> argv = new java.util.ArrayList<>(List.of("simulate"));
    Arrays.stream(args.trim().split("\\s+"))
        .map(a -> a.endsWith(".txt") || a.endsWith(".csv") ? dir.resolve(a).toString() : a)
        .forEach(argv::add);
    CliRun run = CliRun.of(argv.toArray(String[]::new));
    assertThat(run.status()).isEqualTo(AetherException.INVALID_INPUT);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains(names);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aSmallRunPrintsEveryStrategyWithItsArithmeticAndRepeatsWithTheSameSeed() {
    String[] args = {"simulate", "--jobs", "10", "-P", "1", "-M", "1", "--hours", "2",
        "--concurrency", "4", "--runs", "3", "--catalog", catalog.toString(), "--objective",
        "cost"};
    CliRun run = CliRun.of(args);
    assertThat(run.status()).as(run.err()).isZero();
    // 4 slots = 2 x s.large; 10 jobs = 3 waves of 2 h = 6 h
    assertThat(line(run.out(), "  all on-demand ")).contains("1.20 (1.20-1.20)", "6.0 (6.0-6.0)");
    assertThat(line(run.out(), "* Bidder COST ")).contains("0.60 (0.60-0.60)");
    assertThat(run.out()).contains("cheapest single spot pool", "Bidder SEED", "Bidder EXPECTED",
        "pool share 0.5", "on-demand after 2", "10 jobs, 4 at once; 3 runs per strategy");
    assertThat(CliRun.of(args).out()).isEqualTo(run.out());
  }

  @Test
  void theHelpListsTheMarketOptionsWithTheirDefaults() {
    CliRun run = CliRun.of("help", "simulate");
    assertThat(run.out()).contains("--runs", "default: 200", "--startup-minutes", "default: 5",
        "--rate-scale", "--reclaims-per-pool-month", "--spot-attempts", "--hours");
  }

  private static String line(String out, String start) {
    return out.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(
        () -> new AssertionError("no line starting '" + start + "' in:\n" + out));
  }
}
