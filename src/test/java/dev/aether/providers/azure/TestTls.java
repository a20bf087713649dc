package dev.aether.providers.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate for 127.0.0.1 made once per test JVM (keytool, from the JDK), so the fakes can
 * speak HTTPS as Azure does: the SDK sends bearer tokens over HTTPS only, and Azurite takes them
 * over HTTPS only. The same key store serves the fakes (JDK HttpsServer, Azurite's --cert); the
 * trust store, the PEM copy (curl's CURL_CA_BUNDLE) and {@link #javaOptions()} (child JVMs) make
 * clients trust it; nothing else is trusted less.
 */
final class TestTls {
  static final String PASSWORD = "aether-test";
  private static TestTls instance;

  final Path keyStore;
  final Path trustStore;
  final Path pem;
  private final KeyStore keys;

  private TestTls(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
    keyStore = dir.resolve("tls.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", "tls", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "3",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + out);
    }
    keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = keys.getCertificate("tls");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("aether-test", cert);
    trustStore = dir.resolve("trust.p12");
    try (var out2 = Files.newOutputStream(trustStore)) {
      trust.store(out2, PASSWORD.toCharArray());
    }
    pem = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
  }

  static synchronized TestTls get() {
    if (instance == null) {
      try {
        Path dir = Files.createTempDirectory("aether-tls-");
        dir.toFile().deleteOnExit();
        instance = new TestTls(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  /** For servers: this certificate and its key. */
  SSLContext serverContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Azure SDK HTTP client (Netty, as in production) that trusts this certificate. */
  HttpClient azureHttpClient() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(keys);
      var ssl = SslContextBuilder.forClient().trustManager(tmf).build();
      return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
          .secure(s -> s.sslContext(ssl))).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** JVM options that make a child JVM trust this certificate (and only it). */
  List<String> javaOptions() {
    return List.of("-Djavax.net.ssl.trustStore=" + trustStore,
        "-Djavax.net.ssl.trustStorePassword=" + PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12");
  }
}
