package dev.aether.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aether check}, and the same checks in front of a run, as a user meets them: a real
 * {@code aether} process against the fake account (a fresh one: no spot service-linked role).
 */
class AwsCheckTest {
  @RegisterExtension
  static final S3MockExtension S3 = AwsStubs.s3Mock();

  @TempDir Path tmp;
  private AwsEndToEnd e2e;
  private Path prov;

  @BeforeEach
  void start() throws IOException {
    e2e = new AwsEndToEnd(S3.getServiceEndpoint(), tmp, Map.of());
    prov = Files.writeString(tmp.resolve("prov.psv"),
        "m5.large|2|8|false|true|0.05|us-east-1a\nc5.large|2|4|false|false\n");
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  private record Run(int status, String out) {}

  private Run aether(String... args) throws Exception {
    Process p = e2e.aether(tmp.resolve("home"), args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8));
  }

  @Test
  void aMissingSpotRoleTheUserMayNotMakeIsReportedWithTheFixAndNoRunStarts() throws Exception {
    e2e.ec2.mayCreateSpotRole.clear();

    Run check = aether("check", "--provider", "aws", "-R", "us-east-1", "-L", prov.toString());

    assertThat(check.status()).as(check.out()).isEqualTo(1);
    assertThat(check.out())
        .contains("Checking aws in us-east-1 for the 2 instance(s) of " + prov)
        .contains("PASS  credentials: account 123456789012")
        .contains("FAIL  spot service-linked role: AWSServiceRoleForEC2Spot is missing and these"
            + " credentials may not create it")
        .contains("Fix: `aws iam create-service-linked-role --aws-service-name spot.amazonaws.com`")
        .contains("Not ready: 1 check(s) failed");

    Path script = Files.writeString(tmp.resolve("job.sh"), "#!/bin/sh\ntrue\n");
    Path args = Files.writeString(tmp.resolve("args.txt"), "a\n");
    Run run = aether("--provider", "aws", "--offline", "-N", e2e.name, "-S", script.toString(),
        "-A", args.toString(), "-P", "1", "-M", "0.5", "-L", prov.toString(),
        "--agent-jar", e2e.jar.toString());

    assertThat(run.status()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).contains("a run could not start on this aws account, so nothing was"
        + " started").contains("FAIL  spot service-linked role");
    assertThat(e2e.ec2.machines()).isEmpty();
    assertThat(e2e.s3Front.createBucketCalls).as("no bucket was made").isEmpty();
  }

  @Test
  void aFreshAccountIsReadyOnceTheCheckHasMadeTheSpotRole() throws Exception {
    Run check = aether("check", "--provider", "aws", "-L", prov.toString(), "-N", e2e.name);

    assertThat(check.status()).as(check.out()).isZero();
    assertThat(check.out())
        .contains("FIXED spot service-linked role: AWSServiceRoleForEC2Spot was missing and has"
            + " been created")
        .contains("PASS  dry run m5.large (spot, us-east-1a): EC2 would start it")
        .contains("PASS  bucket: s3://" + e2e.name + " does not exist yet")
        .contains("Ready: a run could start.");
    assertThat(e2e.ec2.spotRoleExists).isTrue();
    assertThat(e2e.ec2.machines()).isEmpty();
    assertThat(e2e.ec2.unexpected).isEmpty();
  }
}
