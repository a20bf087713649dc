package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad input: one line naming the input, exit status 2, nothing written. */
class BadInputTest {
  @TempDir Path dir;
  private Path psv;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("args.txt"), "1\n2\n");
    Files.writeString(dir.resolve("empty.txt"), "# only a comment\n\n");
    Files.writeString(dir.resolve("bad.csv"),
        "instance_type,vcpus,memory_gib,region,on_demand_price\nx.large,2,4,us-east-1,cheap\n");
    Files.writeString(dir.resolve("bad.json"), "{\"limits\": {\"c5.large\": -3}}");
    Files.writeString(dir.resolve("bad.psv"), "c4.large|2|3.75|false|true\nc4.large|2\n");
    Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\n");
    Files.writeString(dir.resolve("small.psv"),
        "# saved for jobs of 2 cores\nm5.xlarge|4|16|false|true\nc4.large|2|3.75|false|true\n");
    Files.writeString(dir.resolve("typo.json"), "{\"vcpuQuotas\": {\"spot\": {\"Standard\": 64}}}");
    psv = dir.resolve("out.psv");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "missing args file;  -A missing.txt -P 1 -M 1;                      args file",
    "no args file;       -P 1 -M 1;                                      args file",
    "empty args file;    -A empty.txt -P 1 -M 1;                         no jobs",
    "zero processors;    -A args.txt -P 0 -M 1;                          -P/--processors",
    "negative memory;    -A args.txt -P 1 -M -2;                         -M/--memory",
    "no memory;          -A args.txt -P 1;                               -M/--memory",
    "processors text;    -A args.txt -P two -M 1;                        --processors",
    "unknown region;     -A args.txt -P 1 -M 1 -R mars-north-1;          -R/--region",
    "missing catalog;    -A args.txt -P 1 -M 1 --catalog nope.csv;       --catalog",
    "malformed catalog;  -A args.txt -P 1 -M 1 --catalog bad.csv;        line 2, column on_demand_price",
    "missing limits;     -A args.txt -P 1 -M 1 --limits nope.json;       --limits",
    "malformed limits;   -A args.txt -P 1 -M 1 --limits bad.json;        --limits",
    "malformed plan;     -A args.txt -P 1 -M 1 -L bad.psv;               line 2",
    "bad objective;      -A args.txt -P 1 -M 1 --objective cheapest;     --objective",
    "bad project name;   -A args.txt -P 1 -M 1 -N My_Project;            -N/--name",
    "bad arch;           -A args.txt -P 1 -M 1 --arch sparc;             --arch",
    "bad export name;    -A args.txt -P 1 -M 1 --export-model m.txt;     --export-model",
    "no type fits;       -A args.txt -P 1000 -M 1;                       1000",
    "max cost too low;   -A args.txt -P 1 -M 1 --max-cost 0.0001;        0.0001",
    "unknown option;     -A args.txt -P 1 -M 1 --procesors 2;            --procesors",
    "saved plan too small; -A args.txt -P 4 -M 8 -L small.psv;           line 3: c4.large (2 vCPUs, 3.75 GB) cannot run one job of 4 cores and 8 GB",
    "quota class typo;   -A args.txt -P 1 -M 1 --limits typo.json;       unknown quota class \"Standard\"",
    "zero hours;         -A args.txt -P 1 -M 1 --hours 0;                --hours",
    "budget, no hours;   -A args.txt -P 1 -M 1 --budget 10;              --budget needs --hours",
    "expected, no hours; -A args.txt -P 1 -M 1 --objective expected;     --objective expected needs --hours",
    "pool share above 1; -A args.txt -P 1 -M 1 --max-pool-share 1.5;     --max-pool-share",
    "pool share of 0;    -A args.txt -P 1 -M 1 --max-pool-share 0;       --max-pool-share",
    "budget too low;     -A args.txt -P 1 -M 1 --hours 3 --budget 0.0001; budget $0.0001 is below the least expected total",
  })
  void dryRunRejects(String why, String options, String named) {
    CliRun run = CliRun.of(arguments("--dry-run " + options));
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("aether: ").contains(named);
    assertThat(psv).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "no name;            -A args.txt -P 1 -M 1 -S script.sh;             -N/--name",
    "no script;          -A args.txt -P 1 -M 1 -N demo;                  -S/--script",
    "missing script;     -A args.txt -P 1 -M 1 -N demo -S nope.sh;       -S/--script",
    "missing bin dir;    -A args.txt -P 1 -M 1 -N demo -S script.sh -B nobin; -B/--bin-dir",
    "missing data dir;   -A args.txt -P 1 -M 1 -N demo -S script.sh -D nodata; -D/--data",
    "unknown provider;   -A args.txt -P 1 -M 1 -N demo -S script.sh --provider gcp; --provider",
    "zero attempts;      -A args.txt -P 1 -M 1 -N demo -S script.sh --max-attempts 0; --max-attempts",
  })
  void runRejectsBeforeLaunchingAnything(String why, String options, String named) {
    CliRun run = CliRun.of(arguments(options));
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n").contains(named);
    assertThat(psv).doesNotExist();
  }

  /** Splits options on spaces, makes file names absolute, and sends the plan to a temp file. */
  private String[] arguments(String options) {
    List<String> args = new ArrayList<>();
    boolean hasPlan = false;
    String previous = "";
    for (String word : options.strip().split("\\s+")) {
      boolean takesFile = List.of("-A", "--catalog", "--limits", "-L", "-S", "-B", "-D",
          "--export-model").contains(previous);
      args.add(takesFile ? dir.resolve(word).toString() : word);
      hasPlan |= previous.equals("-L");
      previous = word;
    }
    if (!hasPlan) {
      args.add("-L");
      args.add(psv.toString());
    }
    return args.toArray(String[]::new);
  }
}
