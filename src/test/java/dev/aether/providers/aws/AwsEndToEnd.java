package dev.aether.providers.aws;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the end-to-end AWS tests share: a {@link FakeEc2} whose machines reach the test's S3Mock,
 * a jar for the launcher and the nodes, a fresh project name, and ways to run {@code aether}, list
 * the bucket and collect the nodes' logs. One per test; {@link #close()} kills every machine.
 */
final class AwsEndToEnd implements AutoCloseable {
  /** Smaller, quicker JVMs for the launcher and the nodes. */
  static final String JVM = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

  /** S3 as the launcher and the nodes see it: S3Mock behind {@link S3Front}. */
  final URI s3Endpoint;
  final S3Front s3Front;
  final FakeEc2 ec2;
  final Path jar;
  final String name;

  /**
   * @param nodeEnv more environment for the nodes' boot scripts (and so their aether commands)
   */
  AwsEndToEnd(String s3Endpoint, Path tmp, Map<String, String> nodeEnv) throws IOException {
    this.s3Front = new S3Front(URI.create(s3Endpoint));
    this.s3Endpoint = s3Front.endpoint();
    this.name = "aether-e2e-" + Long.toString(System.nanoTime(), 36);
    Map<String, String> env = new HashMap<>(nodeEnv);
    env.put("JAVA_TOOL_OPTIONS", JVM);
    this.ec2 = new FakeEc2(this.s3Endpoint, tmp.resolve("machines"), env);
    this.jar = launcherJar(tmp.resolve("aether.jar"));
  }

  /** Starts {@code aether ARGS} as the user would, with the fakes' endpoints. */
  Process aether(Path home, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("AETHER_HOME", home.toString());
    env.put("JAVA_TOOL_OPTIONS", JVM);
    env.put("AWS_ENDPOINT_URL_S3", s3Endpoint.toString());
    env.put("AWS_ENDPOINT_URL_EC2", ec2.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_SSM", ec2.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_STS", ec2.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_IAM", ec2.endpoint().toString());
    env.put("AWS_ENDPOINT_URL_SERVICE_QUOTAS", ec2.endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", "AKIDLAUNCHER");
    env.put("AWS_SECRET_ACCESS_KEY", "launcher-secret");
    return pb.start();
  }

  /**
   * A jar like target/aether.jar for the nodes, without packaging: a manifest whose Class-Path is
   * this test's class path and whose Main-Class is aether's.
   */
  private static Path launcherJar(Path file) throws IOException {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(Attributes.Name.MAIN_CLASS, "dev.aether.cli.Main");
    StringBuilder cp = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      cp.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
    }
    a.put(Attributes.Name.CLASS_PATH, cp.toString().trim());
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, m)) {
      // the manifest is all it needs
    }
    return file;
  }

  /** The keys in the project's bucket. */
  List<String> keys() {
    try (S3Client s3 = s3()) {
      return s3.listObjectsV2Paginator(b -> b.bucket(name)).contents().stream()
          .map(S3Object::key).toList();
    }
  }

  S3Client s3() {
    return AwsStubs.clientsFor(s3Endpoint).s3();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Every machine's boot log and aether log, for failure messages. */
  String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (FakeEc2.Machine m : ec2.machines()) {
      for (String f : new String[] {"boot", "aether-coordinator", "aether-agent"}) {
        Path p = m.log(f);
        if (Files.exists(p)) {
          b.append("\n---- ").append(m.id).append(' ').append(f).append('\n')
              .append(Files.readString(p));
        }
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    ec2.close();
    s3Front.close();
  }
}
