package dev.aether.providers.aws;

import dev.aether.core.project.BucketLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The boot scripts of nodes (EC2 user-data, run once by cloud-init as root): install Java, fetch
 * the aether jar (and, on workers, the pipeline token) from the project bucket with the instance
 * role, and run one aether command as a systemd service; when that command ends, the node uploads
 * its logs and shuts down, which terminates it ({@code InstanceInitiatedShutdownBehavior=terminate}).
 *
 * <p>No node is billed after a failure: {@code set -e} with an {@code ERR} trap runs the same
 * exit as the service ({@code /opt/aether/node-exit}: boot log to
 * {@code logs/nodes/<instance>/boot.log}, then {@code shutdown}) on any failing command, and a
 * node that hangs instead is ended by the join deadline (the coordinator for workers, the
 * launcher for the coordinator).
 *
 * <p>The token is NOT in here: user-data is readable by anyone who may describe the instance and
 * from inside the instance by any process (IMDS); the token object is readable only with the
 * nodes' role. {@code umask 077} comes first, so the token file (and every file the boot makes) is
 * created readable by root only, never world-readable even for a moment; the agent refuses a token
 * file others may read. See https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html
 */
final class UserData {
  /** Where the aether jar is in the project bucket (not under bin/, which every job gets). */
  static final String AGENT_JAR_KEY = BucketLayout.AGENT_JAR;
  /** Where the pipeline token is in the project bucket (see docs/aws.md for who may read it). */
  static final String TOKEN_KEY = BucketLayout.TOKEN;
  /** The node's file for the token, readable by root only. */
  static final String TOKEN_FILE = "/run/aether/token";
  /** The node's own log folder: the boot log and the service's output. */
  static final String LOG_DIR = "/var/log/aether";

  private UserData() {}

  /** A worker: fetches the token, then runs {@code aether agent} until the batch is over. */
  static String agent(String bucket, String region, URI coordinator, String project) {
    return script(bucket, true, "aether-agent", "Aether agent (project " + project + ")",
        "agent --provider aws --coordinator " + coordinator + " --token-file " + TOKEN_FILE
            + " --project " + project + " --bucket " + bucket + " --region " + region);
  }

  /**
   * The coordinator node: runs {@code aether coordinate}, which starts and ends the workers.
   *
   * @param workerProfile the instance profile the coordinator gives the workers it starts
   */
  static String coordinator(String bucket, String region, String workerProfile, int port) {
    return script(bucket, false, "aether-coordinator", "Aether coordinator (project " + bucket
            + ")",
        "coordinate --provider aws --bucket " + bucket + " --region " + region
            + " --instance-profile " + workerProfile + " --coordinator-port " + port);
  }

  private static String script(String bucket, boolean token, String unit, String description,
      String command) {
    String fetchToken = token
        ? "aws s3 cp --only-show-errors s3://%1$s/%2$s %3$s\n".formatted(bucket, TOKEN_KEY,
            TOKEN_FILE)
        : "";
    return """
        #!/bin/bash
        # Aether node boot. Files made from here on are root's alone (the token among them).
        umask 077
        set -Eeuo pipefail
        install -d -m 0700 %7$s
        exec > >(tee -a %7$s/boot.log) 2>&1
        install -d -m 0755 /opt/aether
        cat > /opt/aether/node-exit <<'EXIT'
        #!/bin/bash
        # Uploads this node's logs to the project bucket, then shuts it down (= terminates it).
        imds=${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}
        t=$(curl -sf -m 5 -X PUT "$imds/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' || true)
        id=$(curl -sf -m 5 -H "X-aws-ec2-metadata-token: $t" "$imds/latest/meta-data/instance-id" || echo unknown)
        for f in %7$s/*.log; do
          aws s3 cp --only-show-errors "$f" "s3://%1$s/%8$s$id/$(basename "$f")" || true
        done
        /usr/sbin/shutdown -h now
        EXIT
        chmod 0700 /opt/aether/node-exit
        trap 'echo "aether: boot failed at line $LINENO"; /opt/aether/node-exit' ERR
        dnf install -y -q java-17-amazon-corretto-headless
        install -d -m 0700 /run/aether /var/lib/aether
        aws s3 cp --only-show-errors s3://%1$s/%2$s /opt/aether/aether.jar
        %3$scat > /etc/systemd/system/%4$s.service <<'UNIT'
        [Unit]
        Description=%5$s
        After=network-online.target
        Wants=network-online.target
        [Service]
        Environment=AETHER_HOME=/var/lib/aether
        StandardOutput=append:%7$s/%4$s.log
        StandardError=inherit
        ExecStart=/usr/bin/java -jar /opt/aether/aether.jar %6$s
        ExecStopPost=/opt/aether/node-exit
        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload
        systemctl enable --now %4$s
        """.formatted(bucket, AGENT_JAR_KEY, fetchToken, unit, description, command, LOG_DIR,
        BucketLayout.NODE_LOGS_PREFIX);
  }

  /** RunInstances takes user-data base64-encoded. */
  static String encode(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }
}
