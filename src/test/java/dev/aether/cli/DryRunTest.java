package dev.aether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.plan.ProvisioningFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DryRunTest {
  @TempDir Path dir;

  private Path args(int jobs) throws Exception {
    StringBuilder s = new StringBuilder("# a comment line is not a job\n\n");
    for (int i = 1; i <= jobs; i++) {
      s.append(i).append('\n');
    }
    Path f = dir.resolve("args.txt");
    Files.writeString(f, s);
    return f;
  }

  @Test
  void printsThePlanAndWritesProvPsvFromTheEmbeddedCatalog() throws Exception {
    Path psv = dir.resolve("prov.psv");
    CliRun run = CliRun.of("--dry-run", "-A", args(8).toString(), "-P", "2", "-M", "4", "-N",
        "demo", "-R", "us-east-1", "-L", psv.toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out())
        .contains("Plan for 8 jobs of 2 cores and 4 GB each")
        .contains("TYPE", "ZONE", "MARKET", "COUNT", "SLOTS", "$/H EACH", "$/H TOTAL", "BID")
        .contains("Worst case:")
        .contains("On-demand:")
        .contains("every type is unlimited");
    List<ProvisionedInstance> plan = ProvisioningFile.read(psv);
    int slots = plan.stream().mapToInt(i -> (int) Math.min(i.processors() / 2, i.ramGb() / 4)).sum();
    assertThat(slots).isGreaterThanOrEqualTo(8);
  }

  @Test
  void aSpotPlanIsCheaperThanAllOnDemandAndSaysBy() throws Exception {
    CliRun run = CliRun.of("--dry-run", "-A", args(8).toString(), "-P", "2", "-M", "4",
        "-L", dir.resolve("p.psv").toString(), "--objective", "cost");
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).containsPattern("this plan saves [1-9][0-9]?\\.[0-9]%");
  }

  @Test
  void touchesNoCloudAndNeedsNoScriptOrName() throws Exception {
    CliRun run = CliRun.of("--dry-run", "-A", args(2).toString(), "-P", "1", "-M", "1",
        "-L", dir.resolve("p.psv").toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.err()).isEmpty();
  }

  @Test
  void withAwsCredentialsADryRunStillMakesNoCloudCall() throws Exception {
    // -E/-K choose the aws provider. A call to AWS would fail here (no network; the keys are
    // fake), so a plan from the embedded snapshot shows that none was made.
    CliRun run = CliRun.of("--dry-run", "-A", args(2).toString(), "-P", "1", "-M", "1",
        "-E", "AKIAIOSFODNN7EXAMPLE", "-K", "not-a-real-secret-key",
        "-L", dir.resolve("p.psv").toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).contains("embedded AWS price snapshot");
  }

  @Test
  void runsFromAnExplicitSavedPlanWithoutBidding() throws Exception {
    Path psv = dir.resolve("saved.psv");
    Files.writeString(psv, "c4.large|2|3.75|false|aws\n");
    CliRun run = CliRun.of("--dry-run", "-A", args(2).toString(), "-P", "1", "-M", "1",
        "-L", psv.toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    // Not bid again (no fresh "Plan for"), but shown and priced like a fresh plan (issue 12).
    assertThat(run.out()).contains("Using the saved plan", "the bidder was skipped")
        .doesNotContain("Plan for").contains("Saved plan for", "c4.large", "Now:");
    assertThat(Files.readString(psv)).isEqualTo("c4.large|2|3.75|false|aws\n");
  }

  @Test
  void sameInputGivesTheSamePlan() throws Exception {
    Path a = dir.resolve("a.psv");
    Path b = dir.resolve("b.psv");
    Path argsFile = args(30);
    CliRun.of("--dry-run", "-A", argsFile.toString(), "-P", "4", "-M", "16", "-L", a.toString());
    CliRun.of("--dry-run", "-A", argsFile.toString(), "-P", "4", "-M", "16", "-L", b.toString());
    assertThat(Files.readString(a)).isNotEmpty().isEqualTo(Files.readString(b));
  }

  @Test
  void capsSlotsAtWhatTheLimitsAllowAndSaysSo() throws Exception {
    Path limits = dir.resolve("limits.json");
    Files.writeString(limits, "{\"vcpuQuotas\": {\"on-demand\": {\"standard\": 8},"
        + " \"spot\": {\"standard\": 8}}}");
    Path catalog = dir.resolve("catalog.csv");
    Files.writeString(catalog, """
        instance_type,vcpus,memory_gib,region,on_demand_price,spot_price
        c5.large,2,4,us-east-1,0.085,0.035
        c5.xlarge,4,8,us-east-1,0.17,0.068
        """);
    Path psv = dir.resolve("p.psv");
    CliRun run = CliRun.of("--dry-run", "-A", args(20).toString(), "-P", "2", "-M", "4",
        "--limits", limits.toString(), "--catalog", catalog.toString(), "-L", psv.toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).contains("The account limits allow 8 jobs at once");
    assertThat(ProvisioningFile.read(psv).stream().mapToInt(ProvisionedInstance::processors).sum())
        .isLessThanOrEqualTo(16);
  }

  @Test
  void capsConcurrencyAtTheNumberOfJobsAndSaysSo() throws Exception {
    Path psv = dir.resolve("p.psv");
    CliRun run = CliRun.of("--dry-run", "-A", args(20).toString(), "-P", "2", "-M", "4",
        "--concurrency", "5000", "-L", psv.toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).contains("--concurrency 5000 is more than the 20 jobs: planning 20 at"
        + " once").contains("20 at once, in us-east-1");
    int slots = ProvisioningFile.read(psv).stream()
        .mapToInt(i -> (int) Math.min(i.processors() / 2, i.ramGb() / 4)).sum();
    assertThat(slots).isBetween(20, 23);
  }

  @Test
  void withHoursShowsTheBatchsExpectedTotalAndEndNextToAllOnDemand() throws Exception {
    CliRun run = CliRun.of("--dry-run", "-A", args(30).toString(), "-P", "2", "-M", "4",
        "--concurrency", "10", "--hours", "3", "--objective", "expected",
        "-L", dir.resolve("p.psv").toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out())
        .contains("objective expected")
        .contains("POOL SHARE", "BAND")
        .containsPattern("Batch: +expected \\$[0-9]+\\.[0-9]{2} for 30 jobs of 3 h: 3 waves of"
            + " 1[0-9] at once, about 9\\.0 hours")
        .containsPattern("On-demand: +\\$[0-9]+\\.[0-9]{2} for the batch .* 9\\.0 hours\\);"
            + " this plan saves [1-9][0-9]\\.[0-9]%");
  }

  @Test
  void marksEstimatedSpotPricesAndNoSpotPoolHoldsMoreThanItsShare() throws Exception {
    CliRun run = CliRun.of("--dry-run", "-A", args(20).toString(), "-P", "2", "-M", "4",
        "--max-pool-share", "0.25", "-L", dir.resolve("p.psv").toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(run.out()).contains("* estimated: the Spot Instance Advisor's typical saving");
    java.util.regex.Matcher share = java.util.regex.Pattern.compile(" ([0-9.]+)%  ")
        .matcher(run.out());
    int shares = 0;
    while (share.find()) {
      assertThat(Double.parseDouble(share.group(1))).isLessThanOrEqualTo(25.0);
      shares++;
    }
    assertThat(shares).isGreaterThanOrEqualTo(4);
  }

  @Test
  void quotasForStandardTypesOnlyKeepThePlanOnStandardTypes() throws Exception {
    Path limits = dir.resolve("limits.json");
    Files.writeString(limits, "{\"vcpuQuotas\": {\"on-demand\": {\"standard\": 4096},"
        + " \"spot\": {\"standard\": 4096}}}");
    Path psv = dir.resolve("p.psv");
    CliRun run = CliRun.of("--dry-run", "-A", args(40).toString(), "-P", "16", "-M", "400",
        "--limits", limits.toString(), "-L", psv.toString());
    CliRun free = CliRun.of("--dry-run", "-A", args(40).toString(), "-P", "16", "-M", "400",
        "-L", dir.resolve("free.psv").toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(free.status()).as(free.err()).isEqualTo(0);
    // Memory-heavy jobs: without limits the X (high-memory) class is cheapest per slot.
    assertThat(ProvisioningFile.read(dir.resolve("free.psv")))
        .anyMatch(i -> i.type().startsWith("x"));
    assertThat(ProvisioningFile.read(psv)).noneMatch(i -> i.type().startsWith("x"));
    assertThat(run.out()).contains("quota classes not listed count as 0 on spot and on-demand")
        .doesNotContain("no limit or quota bounds");
  }

  @Test
  void exportsTheModel() throws Exception {
    Path lp = dir.resolve("model.lp");
    CliRun run = CliRun.of("--dry-run", "-A", args(4).toString(), "-P", "2", "-M", "4",
        "-L", dir.resolve("p.psv").toString(), "--export-model", lp.toString());
    assertThat(run.status()).as(run.err()).isEqualTo(0);
    assertThat(Files.readString(lp)).containsIgnoringCase("minimize");
  }
}
