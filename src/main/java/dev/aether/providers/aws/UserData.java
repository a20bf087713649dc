package dev.aether.providers.aws;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The boot script of a node (EC2 user-data, run once by cloud-init as root): installs Java, fetches
 * the agent jar and the pipeline token from the project bucket with the instance role, and starts
 * the agent as a service. The token is NOT in here: user-data is readable by anyone who may
 * describe the instance and from inside the instance by any process (IMDS); the token object is
 * readable only with the nodes' role. See
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html
 */
final class UserData {
  /** Where the agent jar is in the project bucket. */
  static final String AGENT_JAR_KEY = "bin/aether.jar";
  /** Where the pipeline token is in the project bucket (see docs/aws.md for who may read it). */
  static final String TOKEN_KEY = "secrets/pipeline-token";

  private UserData() {}

  static String script(String bucket, URI coordinator, String project) {
    return """
        #!/bin/bash
        set -euo pipefail
        dnf install -y -q java-17-amazon-corretto-headless
        install -d -m 0755 /opt/aether
        install -d -m 0700 /run/aether
        aws s3 cp --only-show-errors s3://%1$s/%2$s /opt/aether/aether.jar
        aws s3 cp --only-show-errors s3://%1$s/%3$s /run/aether/token
        chmod 0600 /run/aether/token
        cat > /etc/systemd/system/aether-agent.service <<'UNIT'
        [Unit]
        Description=Aether agent (project %4$s)
        After=network-online.target
        [Service]
        ExecStart=/usr/bin/java -jar /opt/aether/aether.jar agent --coordinator %5$s --token-file /run/aether/token --project %4$s
        Restart=on-failure
        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload
        systemctl enable --now aether-agent
        """.formatted(bucket, AGENT_JAR_KEY, TOKEN_KEY, project, coordinator);
  }

  /** RunInstances takes user-data base64-encoded. */
  static String encoded(String bucket, URI coordinator, String project) {
    return Base64.getEncoder().encodeToString(
        script(bucket, coordinator, project).getBytes(StandardCharsets.UTF_8));
  }
}
