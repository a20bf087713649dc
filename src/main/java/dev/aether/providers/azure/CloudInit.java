package dev.aether.providers.azure;

import dev.aether.core.project.BucketLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The boot scripts of Azure nodes (the VM's custom data, which cloud-init runs once as root on
 * Ubuntu): install Java, fetch the aether jar (and, on workers, the pipeline token) from the
 * project's container with the node's managed identity, and run one aether command as a systemd
 * service. When that command ends, the node deletes its own VM (a VM that merely shuts down stays
 * allocated and billed on Azure), with the same identity.
 *
 * <p>No secret is in here: custom data can be read back by anyone who may read the VM (and from
 * inside it). The token is a blob only the project's identity may read; it lands in a 0600 file,
 * and bearer tokens are handed to curl as header files, never as arguments. See
 * https://learn.microsoft.com/azure/virtual-machines/custom-data and
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
 */
final class CloudInit {
  /** The node's file for the pipeline token, readable by root only. */
  static final String TOKEN_FILE = "/run/aether/token";
  static final String ARM_API = "2024-07-01";
  /** The Blob REST version the boot script speaks (a GET with a bearer token needs 2017+). */
  static final String BLOB_API = "2021-08-06";

  private CloudInit() {}

  /** A worker: fetches the token, then runs {@code aether agent} until the batch is over. */
  static String agent(AzureNames names, String clientId, URI coordinator) {
    return script(names, clientId, true, "aether-agent",
        "Aether agent (project " + names.project() + ")",
        "agent --provider azure --coordinator " + coordinator + " --token-file " + TOKEN_FILE
            + " --project " + names.project() + " --bucket " + names.container()
            + " --region " + names.region());
  }

  /** The coordinator node: runs {@code aether coordinate}, which starts and ends the workers. */
  static String coordinator(AzureNames names, String clientId, int port) {
    return script(names, clientId, false, "aether-coordinator",
        "Aether coordinator (project " + names.project() + ")",
        "coordinate --provider azure --bucket " + names.container() + " --region "
            + names.region() + " --coordinator-port " + port);
  }

  private static String script(AzureNames n, String clientId, boolean token, String unit,
      String description, String command) {
    String fetchToken = token ? "blob_get " + BucketLayout.TOKEN + " " + TOKEN_FILE + "\nchmod 0600 "
        + TOKEN_FILE + "\n" : "";
    return """
        #!/bin/bash
        # Aether node of project %1$s: run once by cloud-init, as root.
        set -euo pipefail
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends openjdk-17-jre-headless python3 curl
        umask 077
        install -d -m 0755 /opt/aether
        install -d -m 0700 /run/aether /var/lib/aether
        cat > /opt/aether/azure.sh <<'SH'
        # A managed-identity token from the instance metadata service, a blob read with it, and
        # deleting this VM. Tokens go to curl as header files, never as arguments.
        export AZURE_CLIENT_ID=%2$s
        IMDS=http://169.254.169.254
        token() {
          curl -sf --retry 5 -H Metadata:true \\
            "$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$1&client_id=$AZURE_CLIENT_ID" \\
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
        }
        auth() { printf 'Authorization: Bearer %%s\\n' "$(token "$1")"; }
        # blob_get KEY FILE, retried for 15 minutes: a new role assignment takes minutes to apply
        blob_get() {
          for i in $(seq 1 90); do
            if curl -sf -H @<(auth https://storage.azure.com/) -H 'x-ms-version: %3$s' \\
                "https://%4$s.blob.core.windows.net/%5$s/$1" -o "$2"; then
              return 0
            fi
            sleep 10
          done
          echo "cannot read $1 from the project container" >&2
          return 1
        }
        delete_self() {
          id=$(curl -sf -H Metadata:true \\
            "$IMDS/metadata/instance/compute/resourceId?api-version=2021-02-01&format=text")
          curl -sf -X DELETE -H @<(auth https://management.azure.com/) \\
            "https://management.azure.com$id?api-version=%6$s&forceDeletion=true" >/dev/null
        }
        SH
        cat > /opt/aether/delete-self.sh <<'SH'
        #!/bin/bash
        . /opt/aether/azure.sh
        delete_self
        SH
        chmod 0755 /opt/aether/azure.sh /opt/aether/delete-self.sh
        . /opt/aether/azure.sh
        blob_get %7$s /opt/aether/aether.jar
        %8$scat > /etc/systemd/system/%9$s.service <<'UNIT'
        [Unit]
        Description=%10$s
        After=network-online.target
        Wants=network-online.target
        [Service]
        Environment=AETHER_HOME=/var/lib/aether
        Environment=AZURE_CLIENT_ID=%2$s
        ExecStart=/usr/bin/java -jar /opt/aether/aether.jar %11$s
        ExecStopPost=/opt/aether/delete-self.sh
        [Install]
        WantedBy=multi-user.target
        UNIT
        systemctl daemon-reload
        systemctl enable --now %9$s
        """.formatted(n.project(), clientId, BLOB_API, n.account(), n.container(), ARM_API,
        BucketLayout.AGENT_JAR, fetchToken, unit, description, command);
  }

  /** ARM takes custom data base64-encoded. */
  static String encode(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }
}
