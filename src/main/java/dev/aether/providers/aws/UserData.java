package dev.aether.providers.aws;

import dev.aether.core.project.BucketLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The boot scripts of nodes (EC2 user-data, run once by cloud-init as root): install Java, fetch
 * the aether jar (and, on workers, the pipeline token) from the project bucket with the instance
 * role, and run one aether command as a systemd service; when that command ends, the node shuts
 * down, which terminates it ({@code InstanceInitiatedShutdownBehavior=terminate}).
 *
 * <p>The token is NOT in here: user-data is readable by anyone who may describe the instance and
 * from inside the instance by any process (IMDS); the token object is readable only with the nodes'
 * role, and the agent reads it from a 0600 file, never from its command line. See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html
 */
final class UserData {
  /** Where the aether jar is in the project bucket (not under bin/, which every job gets). */
  static final String AGENT_JAR_KEY = BucketLayout.AGENT_JAR;
  /** Where the pipeline token is in the project bucket (see docs/aws.md for who may read it). */
  static final String TOKEN_KEY = BucketLayout.TOKEN;
  /** The node's file for the token, readable by root only. */
  static final String TOKEN_FILE = "/run/aether/token";

  private UserData() {}

  /** A worker: fetches the token, then runs {@code aether agent} until the batch is over. */
  static String agent(String bucket, String region, URI coordinator, String project) {
    return script(bucket, true, "aether-agent", "Aether agent (project " + project + ")",
        "agent --provider aws --coordinator " + coordinator + " --token-file " + TOKEN_FILE
            + " --project " + project + " --bucket " + bucket + " --region " + region);
  }

  /** The coordinator node: runs {@code aether coordinate}, which starts and ends the workers. */
  static String coordinator(String bucket, String region, String instanceProfile, int port) {
    return script(bucket, false, "aether-coordinator", "Aether coordinator (project " + bucket + ")",
        "coordinate --provider aws --bucket " + bucket + " --region " + region
            + " --instance-profile " + instanceProfile + " --coordinator-port " + port);
  }

  private static String script(String bucket, boolean token, String unit, String description,
      String command) {
    String fetchToken = token ? """
        aws s3 cp --only-show-errors s3://%1$s/%2$s %3$s
        chmod 0600 %3$s
        """.formatted(bucket, TOKEN_KEY, TOKEN_FILE) : "";
    return """
        #!/bin/bash
        set -euo pipefail
        dnf install -y -q java-17-amazon-corretto-headless
        install -d -m 0755 /opt/aether
        install -d -m 0700 /run/aether /var/lib/aether
        aws s3 cp --only-show-errors s3://%1$s/%2$s /opt/aether/aether.jar
        %3$scat > /etc/systemd/system/%4$s.service <<'UNIT'
        [Unit]
        Description=%5$s
        After=network-online.target
        Wants=network-online.target
        [Service]
        Environment=AETHER_HOME=/var/lib/aether
        ExecStart=/usr/bin/java -jar /opt/aether/aether.jar %6$s
        ExecStopPost=/usr/sbin/shutdown -h now
        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload
        systemctl enable --now %4$s
        """.formatted(bucket, AGENT_JAR_KEY, fetchToken, unit, description, command);
  }

  /** RunInstances takes user-data base64-encoded. */
  static String encode(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }
}
